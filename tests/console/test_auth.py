"""Sign-in, sessions, CSRF and throttling through the real pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from console.models import AuditEntry, WebSession
from tests.console.conftest import PASSWORD, csrf_of, login


def test_pages_redirect_to_login_when_signed_out(client: TestClient) -> None:
    """Every page needs a session; the sign-in form remembers where the user was going."""
    response = client.get("/faqs?q=ho", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/faqs")


def test_login_sets_httponly_samesite_cookie_and_stores_only_its_hash(client, users, db) -> None:
    """The cookie is HttpOnly + SameSite=Lax; the database never holds the cookie value itself."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "staff1", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "console_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    value = client.cookies.get("console_session")
    with db() as session:
        ids = [row.id_hash for row in session.query(WebSession).all()]
    assert len(ids) == 1 and value not in ids


def test_secure_flag_is_configurable(tmp_path, clock) -> None:
    """Behind HTTPS the session cookie carries Secure."""
    from console.app import create_app
    from console.db import create_schema, make_engine, session_scope
    from console.services import accounts
    from tests.console.conftest import make_settings

    settings = make_settings(tmp_path, cookie_secure=True)
    create_schema(make_engine(settings.database_url))
    app = create_app(settings, clock=clock)
    with session_scope(app.state.session_factory) as session:
        accounts.create_user(session, "staff1", PASSWORD, "staff")
    client = TestClient(app, base_url="https://testserver")
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "staff1", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_refused_with_vietnamese_message(client, users) -> None:
    """A wrong password gives one neutral Vietnamese message and no session."""
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": "staff1", "password": "wrong password!", "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert "console_session" not in client.cookies


def test_login_form_needs_its_csrf_token(client, users) -> None:
    """Login CSRF (double-submit): a post without the form's token is refused even with the right password."""
    client.get("/login")
    response = client.post("/login", data={"username": "staff1", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403
    assert "console_session" not in client.cookies


def test_state_changing_form_without_or_with_wrong_csrf_token_is_refused(client, users, db) -> None:
    """Synchronizer token: a signed-in user's POST is refused unless it carries the session's token."""
    token = login(client, "staff1")
    form = {"title": "Cấp lại hộ chiếu", "questions": "mất hộ chiếu\nlàm lại hộ chiếu", "answer": "Nộp hồ sơ."}
    missing = client.post("/faqs/new", data=form)
    wrong = client.post("/faqs/new", data={**form, "csrf_token": token[:-2] + "xx"})
    assert missing.status_code == 403 and wrong.status_code == 403
    assert "không hợp lệ" in wrong.text
    ok = client.post("/faqs/new", data={**form, "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303


def test_csrf_token_of_another_session_is_refused(app, users) -> None:
    """Tokens are per session: one user's token does not authorise another session's form."""
    alice, bob = TestClient(app), TestClient(app)
    alice_token = login(alice, "staff1")
    login(bob, "admin1")
    response = bob.post("/faqs/new", data={"csrf_token": alice_token, "title": "x", "questions": "a\nb", "answer": "c"})
    assert response.status_code == 403


def test_throttling_after_five_failures_refuses_even_the_right_password(client, users, app) -> None:
    """5 failures for one account from one address within 15 minutes lock that pair."""
    for _ in range(5):
        page = client.get("/login")
        bad = client.post(
            "/login", data={"username": "staff1", "password": "nope nope nope", "csrf_token": csrf_of(page.text)}
        )
        assert bad.status_code == 401
    page = client.get("/login")
    locked = client.post("/login", data={"username": "staff1", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert locked.status_code == 429
    assert "sai quá nhiều lần" in locked.text and "15 phút" in locked.text
    # Other accounts from the same desk are not locked out.
    login(client, "trainer1")


def test_throttle_window_expires_and_success_resets_counter(app, users, db) -> None:
    """Failures older than the window no longer count; a success clears the counter."""
    from datetime import timedelta

    from console.models import utcnow
    from console.services import accounts

    throttle = accounts.Throttle(max_failures=2, window_seconds=900)
    start = utcnow()
    with db() as session:
        for _ in range(2):
            assert accounts.authenticate(session, "staff1", "bad password 1", "10.0.0.1", throttle, now=start) is None
    with db() as session:
        try:
            accounts.authenticate(session, "staff1", PASSWORD, "10.0.0.1", throttle, now=start)
            raise AssertionError("expected throttling")
        except accounts.ThrottledError:
            pass
        # Another address is unaffected.
        assert accounts.authenticate(session, "staff1", PASSWORD, "10.0.0.2", throttle, now=start) is not None
    with db() as session:
        later = start + timedelta(seconds=901)
        assert accounts.authenticate(session, "staff1", PASSWORD, "10.0.0.1", throttle, now=later) is not None
    with db() as session:
        assert accounts.authenticate(session, "staff1", "bad password 1", "10.0.0.1", throttle, now=later) is None


def test_logout_ends_the_session_server_side(client, users) -> None:
    """After logout the old cookie value is useless (the row is deleted, not just the cookie)."""
    token = login(client, "staff1")
    old_cookie = client.cookies.get("console_session")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("console_session", old_cookie)
    assert client.get("/faqs", follow_redirects=False).status_code == 303


def test_login_redirect_stays_on_this_site(client, users) -> None:
    """``next`` cannot send a freshly signed-in user to another host."""
    page = client.get("/login?next=//evil.example/x")
    response = client.post(
        "/login",
        data={"username": "staff1", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/faqs"


def test_disabling_a_user_signs_them_out_everywhere(app, users) -> None:
    """An admin disables a staff account: its open session stops working at once."""
    staff, admin = TestClient(app), TestClient(app)
    login(staff, "staff1")
    admin_token = login(admin, "admin1")
    page = admin.get("/admin/users")
    staff_id = int(page.text.split('id="user-row-staff1"')[1].split("/admin/users/")[1].split("/")[0])
    response = admin.post(f"/admin/users/{staff_id}/disable", data={"csrf_token": admin_token}, follow_redirects=False)
    assert response.status_code == 303
    assert staff.get("/faqs", follow_redirects=False).status_code == 303
    page = staff.get("/login")
    refused = staff.post("/login", data={"username": "staff1", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 401


def test_user_changes_own_password(client, users, db) -> None:
    """Users replace the admin's temporary password; weak ones are refused; the change is audited."""
    token = login(client, "staff1")
    bad = client.post(
        "/account/password", data={"csrf_token": token, "current": PASSWORD, "new": "short", "again": "short"}
    )
    assert bad.status_code == 400 and "ít nhất 12" in bad.text
    new = "một mật khẩu mới dài"
    ok = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": new, "again": new})
    assert ok.status_code == 200 and "Đã đổi mật khẩu" in ok.text
    with db() as session:
        assert session.query(AuditEntry).filter_by(action="user.password_change").count() == 1
