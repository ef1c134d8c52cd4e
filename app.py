"""mOthello Explorer: `streamlit run app.py`. The router: every page lives in pages/."""

import streamlit as st

from mothello.ui import widgets

st.set_page_config(page_title="mOthello Explorer", page_icon=":material/grid_on:", layout="wide")

PAGES = {
    "Explore": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True),
        st.Page("pages/checkpoints.py", title="Checkpoints", icon=":material/inventory_2:", url_path="checkpoints"),
        st.Page("pages/play.py", title="Play", icon=":material/sports_esports:", url_path="play"),
    ],
    "Representations": [
        st.Page("pages/probe_boards.py", title="Probe boards", icon=":material/grid_view:", url_path="probe_boards"),
        st.Page("pages/alignment.py", title="Alignment", icon=":material/compare_arrows:", url_path="alignment"),
        st.Page("pages/representations.py", title="Representations", icon=":material/scatter_plot:",
                url_path="representations"),
        st.Page("pages/transfer.py", title="Transfer", icon=":material/trending_up:", url_path="transfer"),
    ],
    "Run": [
        st.Page("pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
        st.Page("pages/tour.py", title="Findings tour", icon=":material/slideshow:", url_path="tour"),
    ],
}

try:
    st.navigation(PAGES).run()
finally:
    widgets.settle_memory()  # keeps Streamlit's garbage collection after each run short
