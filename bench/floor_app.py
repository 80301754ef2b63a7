"""The floor: a trivial one-chart Streamlit app with one sidebar control (`python -m bench`
times it in the same run as the real pages; nothing is faster than this in a browser)."""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
days = st.sidebar.selectbox("Period", [7, 30, 90, 180, 365], index=1)
st.title("Floor")
st.plotly_chart(go.Figure(go.Bar(x=list(range(days)), y=[(i * 7) % 13 for i in range(days)])), width="stretch")
