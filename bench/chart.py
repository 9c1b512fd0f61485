"""A chart of latency against rate from ramp steps, as SVG (no plotting library on the
machine). Used by bench/summarize.py and bench/nodes.sh."""
import math, pathlib


def chart(series, path):
    """`series`: (label, ramp steps, \"p50_ms\" or \"p99_ms\", colour); dashed lines are p50."""
    W, H, L, B, T, R = 720, 420, 70, 50, 20, 170
    pts = [(s["rate_achieved"], s[key]) for _, steps, key, _ in series for s in steps if s[key] > 0]
    if not pts:
        return
    xmax = max(x for x, _ in pts) * 1.05
    ymin, ymax = 0.1, max(max(y for _, y in pts) * 2, 200)
    lx = lambda x: L + (W - L - R) * x / xmax
    ly = lambda y: T + (H - T - B) * (1 - (math.log10(max(y, ymin)) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin)))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    for d in range(-1, int(math.log10(ymax)) + 1):
        y = 10 ** d
        if ymin <= y <= ymax:
            out.append(f'<line x1="{L}" x2="{W-R}" y1="{ly(y):.1f}" y2="{ly(y):.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{L-6}" y="{ly(y)+4:.1f}" text-anchor="end">{y:g} ms</text>')
    step = 10 ** int(math.log10(xmax)) if xmax > 0 else 1
    x = 0
    while x <= xmax:
        out.append(f'<line x1="{lx(x):.1f}" x2="{lx(x):.1f}" y1="{T}" y2="{H-B}" stroke="#eee"/>')
        out.append(f'<text x="{lx(x):.1f}" y="{H-B+16}" text-anchor="middle">{x:,.0f}</text>')
        x += step
    out.append(f'<text x="{(L+W-R)/2}" y="{H-10}" text-anchor="middle">messages per second (achieved)</text>')
    out.append(f'<line x1="{L}" x2="{W-R}" y1="{ly(100):.1f}" y2="{ly(100):.1f}" stroke="#c00" stroke-dasharray="4 3"/>')
    # Inside the plot, above the line: the legend has the column on the right.
    out.append(f'<text x="{L+4}" y="{ly(100)-4:.1f}" fill="#c00">knee: p99 100 ms</text>')
    for i, (label, steps, key, color) in enumerate(series):
        p = sorted((s["rate_achieved"], s[key]) for s in steps if s[key] > 0)
        if not p:
            continue
        d = " ".join(f"{lx(x):.1f},{ly(y):.1f}" for x, y in p)
        dash = ' stroke-dasharray="6 3"' if key == "p50_ms" else ""
        out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for x, y in p:
            out.append(f'<circle cx="{lx(x):.1f}" cy="{ly(y):.1f}" r="3" fill="{color}"/>')
        out.append(f'<text x="{W-R+4}" y="{T+16+18*i}" fill="{color}">{label}</text>')
    out.append("</svg>")
    pathlib.Path(path).write_text("\n".join(out))
