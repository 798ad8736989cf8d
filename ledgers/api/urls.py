"""API routes of the ledgers, mounted under /api/v1/ledgers/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("tags", views.CareTagViewSet, basename="ledger-tag")
router.register("addresses", views.AddressViewSet, basename="ledger-address")
router.register("persons", views.PersonViewSet, basename="ledger-person")
router.register("dwellings", views.DwellingViewSet, basename="ledger-dwelling")
router.register("households", views.HouseholdViewSet, basename="ledger-household")
router.register("units", views.UnitViewSet, basename="ledger-unit")
router.register("visits", views.VisitViewSet, basename="ledger-visit")
urlpatterns = [path("statistics/", views.statistics, name="ledger-statistics"), *router.urls]
