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
}
