"""The app starts, shows its welcome, and quits on q (pilot)."""

from launchtui.ui.app import make_app


async def test_the_app_starts_and_quits_cleanly():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Welcome to launchtui" in str(
            app.screen.query_one("WelcomeScreenPlaceholder").render()
        )
        await pilot.press("q")
    assert app.return_code == 0
