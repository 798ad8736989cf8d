"""API routes of assigned tasks, mounted under /api/v1/tasks/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("assignments", views.AssignmentViewSet, basename="task-assignment")
router.register("", views.TaskViewSet, basename="task")
urlpatterns = router.urls
