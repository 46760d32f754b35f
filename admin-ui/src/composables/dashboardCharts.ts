// The dashboard's chart options, shared by the county dashboard and the big screen (`dark`
// gives the command hall's colours and larger type).
import type { EChartsCoreOption } from 'echarts/core'
import type { Dashboard } from './useDashboard'

type Translate = (key: string) => string

function axisStyle(dark: boolean) {
  const colour = dark ? '#b8c7e0' : '#606266'
  const size = dark ? 18 : 12
  return { axisLabel: { color: colour, fontSize: size }, axisLine: { lineStyle: { color: dark ? '#3a4a6b' : '#dcdfe6' } }, splitLine: { lineStyle: { color: dark ? '#23314f' : '#ebeef5' } } }
}

export function trendOption(d: Dashboard, t: Translate, dark = false): EChartsCoreOption {
  const size = dark ? 18 : 12
  return {
    tooltip: { trigger: 'axis' },
    legend: { textStyle: { color: dark ? '#e6edf7' : '#303133', fontSize: size }, top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: d.trend.map((x) => x.date.slice(5)), ...axisStyle(dark) },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle(dark) },
    series: [
      { name: t('dashboard.reported'), type: 'line', smooth: true, data: d.trend.map((x) => x.reported), itemStyle: { color: '#409eff' } },
      { name: t('dashboard.closed'), type: 'line', smooth: true, data: d.trend.map((x) => x.closed), itemStyle: { color: '#67c23a' } },
      { name: t('dashboard.overdue'), type: 'bar', data: d.trend.map((x) => x.overdue), itemStyle: { color: '#f56c6c' }, barMaxWidth: 10 },
    ],
  }
}

/** The counties side by side: open and overdue now, reported and closed this month. */
export function countiesOption(d: Dashboard, t: Translate, dark = false): EChartsCoreOption {
  const size = dark ? 18 : 12
  return {
    tooltip: { trigger: 'axis' },
    legend: { textStyle: { color: dark ? '#e6edf7' : '#303133', fontSize: size }, top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: d.counties.map((c) => c.name), ...axisStyle(dark) },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle(dark) },
    series: [
      { name: t('dashboard.monthReported'), type: 'bar', data: d.counties.map((c) => c.month_reported), itemStyle: { color: '#409eff' } },
      { name: t('dashboard.monthClosed'), type: 'bar', data: d.counties.map((c) => c.month_closed), itemStyle: { color: '#67c23a' } },
      { name: t('dashboard.openNow'), type: 'bar', data: d.counties.map((c) => c.open_now), itemStyle: { color: '#e6a23c' } },
      { name: t('dashboard.overdueNow'), type: 'bar', data: d.counties.map((c) => c.overdue_now), itemStyle: { color: '#f56c6c' } },
    ],
  }
}

/** Open cases by state, as horizontal bars. */
export function statesOption(d: Dashboard, label: (code: string) => string, dark = false): EChartsCoreOption {
  const rows = [...d.open_by_state].reverse()
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: dark ? 120 : 80, right: 24, top: 8, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1, ...axisStyle(dark) },
    yAxis: { type: 'category', data: rows.map((r) => label(r.state)), ...axisStyle(dark) },
    series: [{ type: 'bar', data: rows.map((r) => r.count), itemStyle: { color: '#409eff' }, barMaxWidth: dark ? 28 : 16, label: { show: true, position: 'right', color: dark ? '#e6edf7' : '#303133', fontSize: dark ? 18 : 12 } }],
  }
}
