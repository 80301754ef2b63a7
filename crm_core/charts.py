"""One Plotly look for every chart: local fonts only, a calm palette, fixed colours per tier."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

# Fonts are the browser's own (no web fonts are fetched); Noto Sans CJK covers Chinese.
FONT = "Source Sans Pro, Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
PALETTE = ("#2E5AAC", "#E07B39", "#3A9D6E", "#C0504D", "#7E62B3", "#2AA3B8", "#B58B2A", "#6B7280")
TIER_COLOURS = {"normal": "#9CA3AF", "silver": "#6B8FB5", "gold": "#D4A017", "diamond": "#2E5AAC"}
TEMPLATE_NAME = "crm"


def register_template() -> str:
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = go.layout.Template(
            layout=go.Layout(
                font={"family": FONT, "size": 13, "color": "#1F2937"},
                colorway=list(PALETTE),
                paper_bgcolor="rgba(0,0,0,0)",
                plot_bgcolor="rgba(0,0,0,0)",
                margin={"l": 10, "r": 10, "t": 40, "b": 10},
                hoverlabel={"font": {"family": FONT}},
                xaxis={"gridcolor": "#E5E7EB", "zerolinecolor": "#D1D5DB"},
                yaxis={"gridcolor": "#E5E7EB", "zerolinecolor": "#D1D5DB"},
                legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            )
        )
    return TEMPLATE_NAME
