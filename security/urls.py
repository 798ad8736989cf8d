from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.account, name="account"),
    path("2fa/enrol/", views.otp_enrol, name="otp-enrol"),
    path("2fa/qr.svg", views.otp_qr, name="otp-qr"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("sessions/<int:pk>/end/", views.session_end, name="session-end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions-end-others"),
    path("staff/<int:pk>/end-sessions/", views.staff_sessions_end, name="staff-sessions-end"),
    path("password/", views.PasswordChange.as_view(), name="password-change"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
]
