"""Choice sets of the security app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What a security audit row records (GB/T 22239-2019 8.1.4.3 a: security-relevant events)."""

    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号或地址被锁定")
    LOCKOUT_LIFTED = "lockout_lifted", _("解除锁定")
    LOGOUT = "logout", _("退出登录")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    SESSION_ENDED = "session_ended", _("会话被结束")
    OTP_ENROLLED = "otp_enrolled", _("绑定双因素认证")
    OTP_VERIFIED = "otp_verified", _("双因素认证通过")
    OTP_FAILED = "otp_failed", _("双因素认证失败")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    ROLE_CHANGED = "role_changed", _("角色变更")
    GRANT_CHANGED = "grant_changed", _("权限授予变更")
    ACCOUNT_CHANGED = "account_changed", _("账号变更")
    API_KEY_CREATED = "api_key_created", _("创建 API 密钥")
    API_KEY_REVOKED = "api_key_revoked", _("吊销 API 密钥")
    EXPORT = "export", _("数据导出")
    REVEAL = "reveal", _("查看个人信息")
    SETTINGS_CHANGED = "settings_changed", _("配置变更")
    CALENDAR_CHANGED = "calendar_changed", _("工作日历变更")
    AUDIT_PURGED = "audit_purged", _("清理过期审计记录")
