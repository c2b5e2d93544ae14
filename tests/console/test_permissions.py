"""Role checks on every route, following the permission matrix in ``console.routes.deps``.

| permission   | admin | staff | trainer |
|--------------|:-----:|:-----:|:-------:|
| faq.read     |  yes  |  yes  |   yes   |
| faq.edit     |  yes  |  yes  |   no    |
| faq.publish  |  yes  |  yes  |   no    |
| users.manage |  yes  |  no   |   no    |
| audit.read   |  yes  |  no   |   no    |
| desk.handle  |  yes  |  yes  |   no    |
| desk.release_any | yes | no  |   no    |
| analytics.read | yes |  yes  |   no    |
| brief.edit   |  yes  |  yes  |   no    |
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from console.routes.deps import PERMISSIONS
from console.services import faqs as faq_service
from console.services.faqs import FaqInput
from tests.console.conftest import login

GET_ROUTES = {
    "/faqs": "faq.read",
    "/faqs/demo_faq": "faq.read",
    "/faqs/new": "faq.edit",
    "/faqs/demo_faq/edit": "faq.edit",
    "/admin/users": "users.manage",
    "/admin/audit": "audit.read",
    "/desk": "desk.handle",
    "/complaints": "desk.handle",
    "/analytics": "analytics.read",
    "/briefs": "brief.edit",
}
POST_ROUTES = {
    "/faqs/new": "faq.edit",
    "/faqs/demo_faq/edit": "faq.edit",
    "/faqs/demo_faq/publish": "faq.publish",
    "/faqs/demo_faq/unpublish": "faq.publish",
    "/admin/users": "users.manage",
    "/admin/users/1/disable": "users.manage",
    "/admin/users/1/enable": "users.manage",
}


@pytest.fixture
def demo_faq(db, users) -> None:
    with db() as session:
        data = FaqInput(key="demo_faq", title="Demo", questions=["câu một", "câu hai"], answer="Trả lời.")
        faq_service.create(session, data, None)


def test_matrix_is_the_documented_one() -> None:
    """The docstring above is the contract shown to admins; the code must not drift from it."""
    assert {k: sorted(v) for k, v in PERMISSIONS.items()} == {
        "faq.read": ["admin", "staff", "trainer"],
        "faq.edit": ["admin", "staff"],
        "faq.publish": ["admin", "staff"],
        "users.manage": ["admin"],
        "audit.read": ["admin"],
        "desk.handle": ["admin", "staff"],
        "desk.release_any": ["admin"],
        "analytics.read": ["admin", "staff"],
        "review.correct": ["admin", "trainer"],
        "training.run": ["admin", "trainer"],
        "brief.edit": ["admin", "staff"],
    }


@pytest.mark.parametrize("role", ["admin", "staff", "trainer"])
@pytest.mark.parametrize(("path", "permission"), GET_ROUTES.items())
def test_pages_follow_the_matrix(app, users, demo_faq, role: str, path: str, permission: str) -> None:
    """Allowed roles get the page; others get a Vietnamese 403 page, never the content."""
    client = TestClient(app)
    login(client, users[role])
    response = client.get(path)
    if role in PERMISSIONS[permission]:
        assert response.status_code == 200, (role, path)
    else:
        assert response.status_code == 403, (role, path)
        assert "Bạn không có quyền truy cập trang này" in response.text


FORBIDDEN_POSTS = [
    (role, path)
    for path, permission in POST_ROUTES.items()
    for role in ("staff", "trainer")
    if role not in PERMISSIONS[permission]
]


@pytest.mark.parametrize(("role", "path"), FORBIDDEN_POSTS)
def test_forms_refuse_roles_without_permission(app, users, demo_faq, role: str, path: str) -> None:
    """A valid CSRF token does not replace the role check on state-changing routes."""
    client = TestClient(app)
    token = login(client, users[role])
    response = client.post(path, data={"csrf_token": token, "title": "x", "questions": "a\nb", "answer": "c"})
    assert response.status_code == 403


def test_navigation_shows_only_permitted_areas(app, users) -> None:
    """Staff do not even see links to admin pages; trainers do not see "Thêm câu hỏi"."""
    staff, trainer, admin = TestClient(app), TestClient(app), TestClient(app)
    login(staff, "staff1")
    login(trainer, "trainer1")
    login(admin, "admin1")
    assert 'id="nav-users"' not in staff.get("/faqs").text
    assert 'id="new-faq"' in staff.get("/faqs").text
    assert 'id="new-faq"' not in trainer.get("/faqs").text
    assert 'id="nav-users"' in admin.get("/faqs").text and 'id="nav-audit"' in admin.get("/faqs").text


PUBLIC = {("GET", "/health"), ("GET", "/"), ("GET", "/login"), ("POST", "/login")}


def test_every_route_requires_a_session_or_the_service_token(app) -> None:
    """A route added later without a role check is caught here: signed out, every page redirects
    to the sign-in form and every API call is 401."""
    from fastapi.routing import APIRoute

    client = TestClient(app)
    checked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        path = route.path.replace("{key}", "x").replace("{user_id}", "1").replace("{sender_id}", "s")
        for method in route.methods - {"HEAD"}:
            if (method, route.path) in PUBLIC:
                continue
            response = client.request(method, path, follow_redirects=False)
            if route.path.startswith("/api/"):
                assert response.status_code == 401, (method, route.path)
            else:
                assert response.status_code == 303, (method, route.path)
                assert response.headers["location"].startswith("/login"), (method, route.path)
            checked += 1
    assert checked >= 15
