"""mOthello Explorer dashboard entry point: `streamlit run app.py`."""

from pathlib import Path

import pandas as pd
import streamlit as st

from mothello.languages import ConfigError, Vocabulary, load_config

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="mOthello Explorer", page_icon="⚫", layout="wide")
st.title("mOthello Explorer")
st.markdown(
    "When and why do multilingual models learn **language-neutral representations**? mOthello writes "
    "Othello games in synthetic languages, trains a GPT on them, and asks whether the model's internal "
    "board is shared across languages (Hua, Yun & Pavlick, NAACL 2024)."
)

st.subheader("Experiment configs")
rows = []
for path in sorted((ROOT / "configs").glob("*.toml")):
    try:
        cfg = load_config(path)
        vocab = Vocabulary.build(cfg)
        rows.append({
            "config": path.stem,
            "languages": ", ".join(f"{lang.name} ({lang.type})" for lang in cfg.languages),
            "anchored squares": sum(len(g.squares) for g in cfg.anchors),
            "unified output": cfg.unified_output,
            "vocabulary": vocab.size,
            "context": vocab.context_length,
            "description": cfg.description,
        })
    except ConfigError as e:
        st.warning(f"{path.name}: {e}")
st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)

st.subheader("Checkpoints")
ckpts = sorted(p.name for p in (ROOT / "checkpoints").iterdir() if p.is_dir()) if (ROOT / "checkpoints").is_dir() else []
if ckpts:
    st.write(", ".join(ckpts))
else:
    st.info("No trained checkpoints yet: `python -m mothello train configs/naive-2.toml --preset tiny --out runs/demo`.")
