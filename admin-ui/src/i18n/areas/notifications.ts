// The notification centre (the bell): its drawer and one message per kind, rendered from the
// notification's parameters (the server sends no text).
export default {
  'zh-CN': {
    notify: {
      title: '消息通知', bell: '消息通知', readAll: '全部已读', markRead: '标为已读', empty: '暂无消息。有新的任务、超时预警、督办或审批时会在这里提醒您。',
      enableBrowser: '开启桌面通知', browserOn: '桌面通知已开启', browserDenied: '浏览器已拒绝桌面通知，可在浏览器设置中开启',
      unreadOnly: '只看未读', more: '加载更多', caseNo: '案件 {number}',
      request: { extension: '延期', return: '回退', suspension: '挂账', void: '作废' },
      kind: {
        task_dispatched: {
          dispatch: '案件 {number} 已派遣至本部门，请及时处置',
          claim: '本部门已认领案件 {number}',
          rework: '案件 {number} 核查未通过，已返回本部门返工',
        },
        verification_task: '新的核实任务：案件 {number}',
        check_task: '新的核查任务：案件 {number}',
        deadline_yellow: '案件 {number} 即将超时（已用时限 80% 以上）',
        deadline_red: '案件 {number} 已超时',
        supervision_order: '案件 {number} 被督办：{note}',
        supervision_order_city: '案件 {number} 被市级督办：{note}',
        approval_waiting: '案件 {number} 申请{request}，等待审批',
        import_finished: { succeeded: '部件普查导入已完成：{message}', failed: '部件普查导入失败：{message}' },
      },
    },
  },
  en: {
    notify: {
      title: 'Notifications', bell: 'Notifications', readAll: 'Mark all read', markRead: 'Mark read', empty: 'No notifications. New tasks, deadline warnings, supervision orders and approvals will appear here.',
      enableBrowser: 'Enable desktop notifications', browserOn: 'Desktop notifications are on', browserDenied: 'The browser blocks desktop notifications; allow them in its settings',
      unreadOnly: 'Unread only', more: 'Load more', caseNo: 'Case {number}',
      request: { extension: 'an extension', return: 'a return', suspension: 'a suspension', void: 'voiding' },
      kind: {
        task_dispatched: {
          dispatch: 'Case {number} was dispatched to your department',
          claim: 'Your department claimed case {number}',
          rework: 'Case {number} failed its check and is back with your department for rework',
        },
        verification_task: 'New verification task: case {number}',
        check_task: 'New check task: case {number}',
        deadline_yellow: 'Case {number} is close to its deadline (over 80% of the limit used)',
        deadline_red: 'Case {number} is overdue',
        supervision_order: 'Supervision order on case {number}: {note}',
        supervision_order_city: 'City supervision order on case {number}: {note}',
        approval_waiting: 'Case {number} requests {request}, waiting for approval',
        import_finished: { succeeded: 'The census import finished: {message}', failed: 'The census import failed: {message}' },
      },
    },
  },
}
