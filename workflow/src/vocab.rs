//! Labels of the workflow's codes (states, actions, sources, pending requests) for people and
//! for messages. The codes are the serde names; a test keeps the two in step.

use kernel::vocabulary;

use crate::model::{Action, Pending, Source, State};

vocabulary!(State {
    Reported => "reported", "已上报", "Reported";
    Verifying => "verifying", "核实中", "Being verified";
    Accepted => "accepted", "已受理", "Accepted";
    Filed => "filed", "已立案", "Filed";
    Dispatched => "dispatched", "已派遣", "Dispatched";
    Suspended => "suspended", "已挂账", "Suspended";
    Handled => "handled", "已处置", "Handled";
    Checking => "checking", "核查中", "Being checked";
    Checked => "checked", "核查通过", "Checked";
    SelfHandled => "self_handled", "自处置", "Self-handled";
    Closed => "closed", "已结案", "Closed";
    Rejected => "rejected", "不予受理", "Rejected";
    Voided => "voided", "已作废", "Voided";
});

vocabulary!(Action {
    Report => "report", "上报", "Report";
    SelfHandle => "self_handle", "自处置", "Self-handle";
    SendVerification => "send_verification", "发核实", "Send for verification";
    Verify => "verify", "核实", "Verify";
    Accept => "accept", "受理", "Accept";
    Reject => "reject", "不予受理", "Reject";
    File => "file", "立案", "File";
    Dispatch => "dispatch", "派遣", "Dispatch";
    Claim => "claim", "主动认领", "Claim";
    Handle => "handle", "处置反馈", "Report handled";
    SendCheck => "send_check", "发核查", "Send for check";
    Check => "check", "核查", "Check";
    Close => "close", "结案", "Close";
    RequestExtension => "request_extension", "申请延期", "Request extension";
    ApproveExtension => "approve_extension", "批准延期", "Approve extension";
    RefuseExtension => "refuse_extension", "驳回延期", "Refuse extension";
    RequestReturn => "request_return", "申请回退", "Request return";
    ApproveReturn => "approve_return", "批准回退", "Approve return";
    RefuseReturn => "refuse_return", "驳回回退", "Refuse return";
    RequestSuspension => "request_suspension", "申请挂账", "Request suspension";
    ApproveSuspension => "approve_suspension", "批准挂账", "Approve suspension";
    RefuseSuspension => "refuse_suspension", "驳回挂账", "Refuse suspension";
    Resume => "resume", "恢复", "Resume";
    RequestVoid => "request_void", "申请作废", "Request void";
    ApproveVoid => "approve_void", "批准作废", "Approve void";
    RefuseVoid => "refuse_void", "驳回作废", "Refuse void";
    Merge => "merge", "合并", "Merge";
    Supervise => "supervise", "督办", "Supervision order";
    Callback => "callback", "回访", "Callback";
    MarkOverdue => "mark_overdue", "标记超期", "Mark overdue";
});

vocabulary!(Source {
    Patrol => "patrol", "监督员上报", "Collector on patrol";
    Public => "public", "公众举报", "Public report";
    Hotline => "hotline", "热线电话", "Hotline";
    ThirdParty => "third_party", "第三方接入", "Third party";
    CityOrder => "city_order", "市级督办", "City order";
    Video => "video", "视频智能识别", "Video detection";
});

vocabulary!(Pending {
    Extension => "extension", "延期", "Extension";
    Return => "return", "回退", "Return";
    Suspension => "suspension", "挂账", "Suspension";
    Void => "void", "作废", "Void";
});

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::Vocabulary;
    use serde::Serialize;

    fn codes_are_serde_names<V: Vocabulary + Serialize>() {
        kernel::vocab::check::<V>().unwrap();
        for v in V::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::from(v.code()));
        }
    }

    #[test]
    fn every_code_is_the_serde_name() {
        codes_are_serde_names::<State>();
        codes_are_serde_names::<Action>();
        codes_are_serde_names::<Source>();
        codes_are_serde_names::<Pending>();
    }
}
