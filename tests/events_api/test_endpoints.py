"""The generic endpoint checks applied to /api/v1/events/, /patrols/ and /notifications/."""

import datetime

from django.utils import timezone

from events.messaging import Notification
from events.models import Patrol
from events.services import event_report
from tests.api.mixins import EndpointContract


def _reporter(world, in_scope):
    """The grid and its full-time worker: the supervisor's district's grid, or the other district's."""
    return (world.tree.grid, world.worker) if in_scope else (world.tree.other_grid, world.other_worker)


class TestEventEndpoints(EndpointContract):
    list_url = "/api/v1/events/"
    id_field = "number"
    page_size_param = "page_size"

    def row_key(self, row):
        return row.number

    def make_rows(self, scenario, n, in_scope):
        grid, worker = _reporter(scenario, in_scope)
        item = scenario.item
        found = timezone.now() - datetime.timedelta(hours=1)
        return [
            event_report(actor=worker, area=grid, item=item, title=f"事件{i}", description="描述", discovered_at=found)
            for i in range(n)
        ]


class TestPatrolEndpoints(EndpointContract):
    list_url = "/api/v1/patrols/"
    page_size_param = "page_size"

    def make_rows(self, scenario, n, in_scope):
        grid, worker = _reporter(scenario, in_scope)
        now = timezone.now()
        return [
            Patrol.objects.create(area=grid, user=worker, started_at=now - datetime.timedelta(hours=2), ended_at=now)
            for _ in range(n)
        ]


class TestNotificationEndpoints(EndpointContract):
    """Notifications are the viewer's own: "out of scope" means someone else's."""

    list_url = "/api/v1/notifications/"
    page_size_param = "page_size"

    def detail_url(self, row):
        return f"{self.list_url}{row.pk}/read/"

    def make_rows(self, scenario, n, in_scope):
        user = scenario.supervisor if in_scope else scenario.other_supervisor
        return [Notification.objects.create(user=user, kind="report", title=f"通知{i}") for i in range(n)]

    # No detail GET: the generic detail checks are replaced by the mark-read action.
    def test_anonymous_is_refused_with_401(self, scenario):
        self.make_rows(scenario, 1, in_scope=True)
        response = self._client(scenario, None).get(self.list_url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Api-Key realm="api"'

    def test_user_without_permission_gets_nothing(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=True)
        client = self._client(scenario, self.no_permission)
        assert self._ids(client.get(self.list_url)) == set()
        assert client.post(self.detail_url(row)).status_code == 404

    def test_in_scope_detail_answers_200(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=True)
        response = self._client(scenario, self.viewer).post(self.detail_url(row))
        assert response.status_code == 204
        row.refresh_from_db()
        assert row.read_at is not None

    def test_out_of_scope_detail_is_404(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=False)
        response = self._client(scenario, self.viewer).post(self.detail_url(row))
        assert response.status_code == 404
        row.refresh_from_db()
        assert row.read_at is None

    def test_read_all_marks_only_mine(self, scenario):
        mine = self.make_rows(scenario, 2, in_scope=True)
        (theirs,) = self.make_rows(scenario, 1, in_scope=False)
        assert self._client(scenario, self.viewer).post(f"{self.list_url}read-all/").status_code == 204
        assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
        assert Notification.objects.get(pk=theirs.pk).read_at is None
