"""The dashboard's shared pieces (the only part of mothello that imports Streamlit): the board, the
checkpoint and language pickers, URL state, chart helpers and exports, cached loaders."""


def _use_the_router() -> None:
    """Streamlit runs a deep link (e.g. /play?moves=c4) on a freshly started server through its legacy
    `pages/` folder mode, bypassing app.py's st.navigation, until some session has loaded app.py. A page
    that finds itself run that way turns the legacy mode off and reruns, so app.py routes the same URL."""
    try:
        import streamlit as st
        from streamlit.runtime import exists
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without these internals: nothing to fix
        return
    if exists() and PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_use_the_router()
