"""One Plotly look for every chart: local fonts only, a calm palette, fixed colours per tier."""

from __future__ import annotations

import math
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io as pio

# Fonts are the browser's own (no web fonts are fetched); Noto Sans CJK covers Chinese.
FONT = "Source Sans Pro, Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
PALETTE = ("#2E5AAC", "#E07B39", "#3A9D6E", "#C0504D", "#7E62B3", "#2AA3B8", "#B58B2A", "#6B7280")
TIER_COLOURS = {"normal": "#9CA3AF", "silver": "#6B8FB5", "gold": "#D4A017", "diamond": "#2E5AAC"}
TEMPLATE_NAME = "crm"


def register_template() -> str:
    """Register the house template and make it the default: figures then get it when they are
    created (Plotly skips validating a default template), instead of having Plotly's own large
    default copied in and replaced by this one for every chart."""
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
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME


register_template()


def nice_ticks(max_value: float, label: Callable[[float], str], count: int = 5) -> tuple[list[float], list[str]]:
    """Round tick values from 0 past `max_value`, labelled in the reader's units (万 / M)."""
    if max_value <= 0 or math.isnan(max_value):
        return [0.0], [label(0.0)]
    raw = max_value / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    values = [i * step for i in range(math.ceil(max_value / step) + 1)]
    return values, [label(v) for v in values]
