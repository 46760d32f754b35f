// 简体中文 — the console's first language. Keys by area; en.ts has exactly the same keys
// (a unit test compares them and the keys used in code).
export default {
  app: { name: 'UrbanGrid 数字城管', tagline: '城县一体化数字城管平台' },
  common: {
    search: '搜索', reset: '重置', add: '新增', import: '导入', export: '导出', edit: '编辑', delete: '删除',
    save: '保存', cancel: '取消', confirm: '确定', close: '关闭', actions: '操作', columns: '显示列',
    empty: '暂无数据', prev: '上一页', next: '下一页', pageN: '第 {n} 页', yes: '是', no: '否',
    unexpected: '发生意外错误，请稍后重试', unavailable: '服务暂时不可用，请稍后重试', notFound: '页面不存在',
    backHome: '返回首页', saved: '已保存', created: '已创建', deleted: '已删除', loading: '加载中…',
    confirmDelete: '确定删除“{name}”吗？此操作不可撤销。', status: '状态', name: '名称', code: '代码',
    createdAt: '创建时间', updatedAt: '更新时间', details: '详情', refresh: '刷新', download: '下载',
    dryRun: '试运行（只校验不写入）', done: '已完成', missing: '未完成', retry: '重试',
  },
  login: {
    title: '登录', tenant: '单位（区划）', tenantPlaceholder: '输入代码或名称搜索', username: '用户名', password: '密码',
    submit: '登 录',
    errors: {
      missing: '请选择单位并填写用户名和密码', credentials: '单位、用户名或密码错误',
      locked: '失败次数过多，账号已临时锁定，请稍后再试或联系管理员解锁', suspended: '该单位已停用，请联系上级管理员',
      disabled: '该账号已停用，请联系本单位管理员',
    },
    ended: { idle: '长时间未操作，已自动退出，请重新登录', expired: '登录已过期，请重新登录' },
  },
  layout: { logout: '退出登录', toggleMenu: '折叠/展开菜单', tenant: '当前单位', ownTenant: '本级' },
  menu: {
    home: '首页', cities: '城市管理', counties: '区县接入', onboarding: '区县接入向导', readiness: '就绪清单',
    base: '基础数据', map: '网格地图', components: '部件普查', classes: '部件事件分类', org: '组织机构',
    departments: '部门', users: '用户与角色', settings: '设置', calendar: '工作日历', timeLimits: '时限标准',
    responsibilities: '权责清单', audit: '审计日志', profile: '个人中心',
  },
  profile: {
    changePassword: '修改密码', currentPassword: '当前密码', newPassword: '新密码', confirmPassword: '确认新密码',
    passwordRule: '至少 10 位，包含大写字母、小写字母、数字、符号中的三种，且不含用户名',
    mismatch: '两次输入的新密码不一致', passwordChanged: '密码已修改，其他设备上的登录已退出',
    account: '账号信息', roles: '角色', tenant: '所属单位', department: '所属部门',
  },
  home: { nothing: '当前账号在此单位没有可打开的页面，请联系管理员分配角色' },
  users: {
    displayName: '姓名', mobile: '手机号', email: '电子邮箱', staffNumber: '工号', new: '新增用户', edit: '编辑用户',
    resetPassword: '重置密码', resetHint: '留空则不修改；重置后该用户的登录锁定同时解除', unlock: '解锁',
    confirmUnlock: '解除“{name}”的登录锁定？', unlocked: '已解锁', importTitle: '从模板导入用户',
    templateCsv: '下载 CSV 模板', templateXlsx: '下载 Excel 模板',
    status: { active: '正常', deactivated: '停用' },
  },
  departments: {
    uscc: '统一社会信用代码', shared: '共享给区县', sharedYes: '共享', new: '新增部门', edit: '编辑部门',
    usccHint: '18 位，末位为校验码（GB 32100）', sharedHint: '共享的市级部门可被各区县作为派遣对象',
  },
  imports: {
    line: '行号', field: '字段', reason: '原因', check: '校验', run: '导入', dryRunOk: '校验通过：{rows} 行均有效，可以导入',
    done: '导入完成：写入 {written} 行', progress: '已读取 {read} 行，有效 {valid} 行，失败 {failed} 行',
  },
  tenants: {
    newCity: '接入城市', newCounty: '新建区县', division: '行政区划', pickDivision: '选择行政区划（GB/T 2260）',
    divisionHint: '代码与名称取自 GB/T 2260 行政区划代码表（2023 版）', firstAdmin: '首位管理员', timeZone: '时区',
    rename: '改名', renamePrompt: '新名称', suspend: '停用', activate: '启用', suspended: '已停用', activated: '已启用',
    confirmSuspend: '停用“{name}”？停用后该单位及其下级的用户都无法登录。', confirmActivate: '重新启用“{name}”？',
    cityCreated: '已接入 {name}，管理员账号 {admin}', status: { active: '正常', suspended: '停用' },
  },
  counties: { readiness: '就绪进度', onboard: '接入新区县', continue: '继续接入' },
  wizard: {
    newCounty: '接入新区县', back: '返回区县列表', prev: '上一步', next: '下一步',
    countyIntro: '第一步：从行政区划代码表中选择区县，并设置该区县的首位管理员。',
    countyDone: '区县已创建。后续各步骤可以随时离开，再从“区县接入”继续。',
    ready: '该区县已满足上线条件', notReady: '尚有未完成的项目，完成后方可上线',
    steps: { county: '区县', departments: '部门', users: '用户与角色', grids: '单元网格', duty: '责任网格', census: '部件普查', settings: '日历·时限·权责', readiness: '就绪检查' },
  },
  readiness: {
    items: {
      departments: '已建立专业部门', users: '闭环各岗位均有人员', streets: '已有街道和社区', grids: '单元网格覆盖各社区',
      duty_grids: '责任网格覆盖全部单元网格', collectors: '每个责任网格都有监督员', census: '已完成部件普查',
      calendar: '本年度节假日已设置', time_limits: '已设置时限标准', responsibilities: '每个分类都有责任部门',
    },
  },
  dutyGrids: {
    onePerStreet: '按街道生成责任网格', creating: '正在生成 {n}/{total}：{name}', streetName: '{name}责任网格', count: '共 {n} 个责任网格',
    empty: '还没有责任网格：先导入单元网格，再按街道生成', grids: '单元网格数', collectors: '监督员', noCollector: '未分配监督员',
    noCollectorUsers: '本单位还没有“监督员”角色的用户，请先在“用户与角色”中添加',
  },
  calendar: {
    timeZone: '时区', periods: '工作时段', addPeriod: '添加时段', weekend: '休息日', holiday: '节假日', workday: '调休上班',
    weekendDay: '周末', holidayShort: '休', workdayShort: '班', clickHint: '点击日期切换：节假日 → 调休上班 → 恢复',
    missingYears: '{years} 年尚未设置法定节假日，期限只按周末计算，请按国务院办公厅节假日安排补充',
    days: { Mon: '周一', Tue: '周二', Wed: '周三', Thu: '周四', Fri: '周五', Sat: '周六', Sun: '周日' },
  },
  timeLimits: {
    stages: '各环节时限', defaultDisposal: '未列明分类的处置时限', byClass: '按分类的处置时限', noClasses: '未按分类设置，均按默认处置时限',
    classCode: '分类代码', filingCondition: '立案条件', closingCondition: '结案条件',
    stage: { accept: '受理', verify: '核实', file: '立案', dispatch: '派遣', check: '核查', close: '结案' },
    area: { a: 'A 类区域', b: 'B 类区域', c: 'C 类区域' },
  },
  responsibilities: {
    filter: '按分类代码或名称筛选', count: '共 {n} 条', hint: '同一分类可按街道、社区或网格细分，越具体的规则优先；派遣建议据此生成。',
    empty: '权责清单为空：点击“新增”为各分类指定责任部门', class: '分类', street: '街道', community: '社区', grid: '网格',
    department: '责任部门', anywhere: '全区',
    bulkDept: '选择部门', fill: '未指定的分类都交给该部门', filled: '已为 {n} 个分类添加全区规则，保存后生效',
  },
  audit: {
    seq: '序号', at: '时间', actor: '操作人', kind: '类型', target: '对象', source: '来源地址', requestId: '请求号', hash: '哈希',
    verify: '校验哈希链', intact: '哈希链完整：共 {n} 条记录', broken: '哈希链在第 {seq} 条断开：{reason}', record: '第 {seq} 条记录',
    before: '变更前', after: '变更后',
  },
  classes: {
    all: '全部', component: '部件', matter: '事件', search: '代码或名称', count: '共 {n} 类', new: '新增本地分类', major: '大类',
    kind: '类型', standard: '来源', local: '本地扩展（{code}）', nameEn: '英文名称', majorHint: '大类已存在时可留空',
  },
}
