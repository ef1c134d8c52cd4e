"""The dashboard's shared pieces (the only part of mothello that imports Streamlit): the board, the
checkpoint and language pickers, URL state, chart helpers and exports, cached loaders."""
