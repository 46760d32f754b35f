// The county dashboard, the city's side-by-side view and the command hall's big screen.
export default {
  'zh-CN': {
    menu: { dashboard: '综合看板', bigscreen: '指挥大屏' },
    dashboard: {
      today: '今日', month: '本月', reported: '上报', accepted: '受理', filed: '立案', dispatched: '派遣', closed: '结案',
      overdue: '超时', openNow: '在办案件', overdueNow: '超时案件', onTimeRate: '按期结案率', closureRate: '结案率',
      monthReported: '本月上报', monthClosed: '本月结案', bySource: '按来源', source: '来源', trend: '近30天趋势',
      openByState: '在办案件（按状态）', map: '在办案件分布', heat: '热力图', clusters: '案件聚合点', counties: '区县对比',
      county: '区县', openBigscreen: '打开大屏', refresh: '刷新', asOf: '统计日期 {date}（{zone}）', points: '在办 {n} 件',
      empty: '暂无案件。监督员上报或受理员登记案件后，这里会显示统计。', loadFailed: '加载失败：{detail}',
      bigscreen: { title: '{name} 数字城管指挥大屏', ranking: '区县排名（本月按期结案率）', refreshed: '每 30 秒自动刷新 · 更新于 {time}', back: '返回看板' },
    },
  },
  en: {
    menu: { dashboard: 'Dashboard', bigscreen: 'Big screen' },
    dashboard: {
      today: 'Today', month: 'This month', reported: 'Reported', accepted: 'Accepted', filed: 'Filed', dispatched: 'Dispatched', closed: 'Closed',
      overdue: 'Overdue', openNow: 'Open now', overdueNow: 'Overdue now', onTimeRate: 'On-time closure', closureRate: 'Closure rate',
      monthReported: 'Reported this month', monthClosed: 'Closed this month', bySource: 'By source', source: 'Source', trend: 'Last 30 days',
      openByState: 'Open cases by state', map: 'Open cases', heat: 'Heat map', clusters: 'Case clusters', counties: 'Counties side by side',
      county: 'County', openBigscreen: 'Open the big screen', refresh: 'Refresh', asOf: 'Figures for {date} ({zone})', points: '{n} open',
      empty: 'No cases yet. Figures appear once collectors report or the centre registers cases.', loadFailed: 'Loading failed: {detail}',
      bigscreen: { title: '{name} urban management command screen', ranking: 'Counties ranked (on-time closure this month)', refreshed: 'Refreshes every 30 s · updated {time}', back: 'Back to the dashboard' },
    },
  },
}
