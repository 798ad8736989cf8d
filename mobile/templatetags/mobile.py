"""`{% mobile_head %}` and `{% mobile_scripts %}` in base.html: on the staff side only
(signed in, not a plain page, see `mobile.assets.is_staff_page`), the manifest, the
service worker's registration and the offline-draft scripts; `{% mobile_form_scripts %}`
on the pages whose forms keep offline drafts (`<form data-ng-draft="kind">`)."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ..assets import FORM_ASSETS, is_staff_page, static_urls

register = template.Library()


def words() -> dict[str, str]:
    """The words the offline scripts show, translated on the server (no inline script);
    `key.kind` is a draft kind's own word where the generic one does not fit."""
    return {
        "stale": _("离线副本：内容截至 %(time)s，联网后刷新可看最新。"),
        "pending": _("待发送"),
        "sent": _("已发送"),
        "refused": _("被退回"),
        "refusedIntro": _("服务器退回了这份草稿，请修改后重新提交："),
        "signIn": _("登录已失效，请重新登录后发送。"),
        "outbox": _("待发送"),
        "edit": _("修改"),
        "delete": _("删除"),
        "retry": _("重新发送"),
        "open": _("查看事件"),
        "kept": _("草稿中已有附件 %(n)s 个；重新选择将替换同类附件。"),
        "logoutConfirm": _("还有 %(n)s 份草稿未发送，退出将从本机删除它们。确定退出？"),
        "deleteConfirm": _("删除这份草稿？"),
        "savedAt": _("保存于 %(time)s"),
        "sentAs": _("已发送，事件编号 %(n)s"),
        "sentAs.visit": _("已发送，走访记录 %(n)s"),
        "open.visit": _("查看走访记录"),
        "recording": _("录音中 %(time)s，点击停止"),
        "record": _("录制语音"),
    }


@register.inclusion_tag("mobile/_head.html", takes_context=True)
def mobile_head(context):
    request = context.get("request")
    staff = request is not None and is_staff_page(request)
    return {
        "staff": staff,
        "user_id": request.user.pk if staff else "",
        "page_time": timezone.localtime().strftime("%Y-%m-%d %H:%M") if staff else "",
        "words": words() if staff else {},
    }


@register.inclusion_tag("mobile/_scripts.html", takes_context=True)
def mobile_scripts(context):
    request = context.get("request")
    return {"staff": request is not None and is_staff_page(request)}


@register.inclusion_tag("mobile/_form_scripts.html", takes_context=True)
def mobile_form_scripts(context):
    request = context.get("request")
    return {"urls": static_urls(FORM_ASSETS) if request is not None and is_staff_page(request) else []}
