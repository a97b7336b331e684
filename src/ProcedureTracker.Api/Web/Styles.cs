namespace ProcedureTracker.Api.Web;

/// <summary>The whole stylesheet, inlined in every page (no CDN, no static-file dependency; a clinic network may have no internet).</summary>
public static class Styles
{
    /// <summary>The stylesheet as served: the rules below and the meters' widths (classes, not style attributes, so the
    /// Content Security Policy needs no inline styles).</summary>
    public static readonly string Css = Rules + string.Concat(Enumerable.Range(0, 21).Select(i => $".bar .w{i * 5} {{ width:{i * 5}%; }}\n"));

    private const string Rules = """
        :root { --ink:#1b1f24; --muted:#59636e; --line:#d0d7de; --ok:#1a7f37; --bad:#b42318; --warn:#9a6700; --accent:#0b57d0; --bg:#f6f8fa; }
        * { box-sizing: border-box; }
        body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background:#fff; }
        .skip { position:absolute; left:-999px; } .skip:focus { left:8px; top:8px; background:#fff; padding:4px 8px; z-index:2; }
        header.top { display:flex; flex-wrap:wrap; gap:12px 24px; align-items:center; padding:10px 20px; border-bottom:1px solid var(--line); background:var(--bg); }
        .brand { font-weight:700; }
        nav { display:flex; flex-wrap:wrap; gap:4px 16px; }
        nav a { color: var(--accent); text-decoration:none; } nav a:hover { text-decoration:underline; }
        .signout { margin-left:auto; display:flex; gap:10px; align-items:center; color:var(--muted); }
        main { padding: 16px 20px 40px; max-width: 1100px; }
        h1 { font-size: 1.6rem; margin: 8px 0 12px; } h2 { font-size: 1.2rem; margin: 24px 0 8px; }
        label { display:block; font-weight:600; margin: 10px 0 4px; }
        input, select, textarea, button { font: inherit; padding: 6px 8px; border:1px solid #8c959f; border-radius:6px; }
        textarea { width:100%; font-family: ui-monospace, monospace; font-size: 0.9rem; }
        button { background: var(--accent); color:#fff; border-color: var(--accent); cursor:pointer; }
        button.secondary { background:#fff; color:var(--accent); }
        button.danger { background: var(--bad); border-color: var(--bad); }
        :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
        .narrow { max-width: 360px; }
        .grid { display:grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 4px 16px; align-items:end; }
        .grid input, .grid select { width: 100%; max-width: 100%; }
        td.date, table.report td { white-space: nowrap; }
        .scroll { overflow-x: auto; }
        .row { display:flex; flex-wrap:wrap; gap:8px; align-items:end; }
        table { border-collapse: collapse; width:100%; margin: 8px 0; }
        th, td { text-align:left; padding: 6px 8px; border-bottom:1px solid var(--line); vertical-align: top; }
        th a { color: inherit; }
        td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
        .answer { border:2px solid var(--line); border-radius:10px; padding: 12px 16px; margin: 16px 0; }
        .answer.ok { border-color: var(--ok); } .answer.no { border-color: var(--bad); } .answer.warn { border-color: var(--warn); background:#fff8e6; }
        .answer p { margin: 4px 0; }
        .sr-only { position:absolute; width:1px; height:1px; padding:0; margin:-1px; overflow:hidden; clip:rect(0,0,0,0); white-space:nowrap; border:0; }
        .ok-text { color: var(--ok); } .bad-text { color: var(--bad); }
        .meter .bar { height: 10px; background: #eaeef2; border-radius: 5px; overflow: hidden; margin: 6px 0 2px; }
        .meter .bar span { display:block; height:100%; background: var(--ok); }
        .meter.room { border-left: 6px solid var(--ok); }
        .meter.last { border-left: 6px solid #d4a72c; background: #fff8e6; } .meter.last .bar span { background: #d4a72c; } .meter.last .level { color: var(--warn); }
        .meter.bad { border-left: 6px solid var(--bad); background: #fff5f5; } .meter.bad .bar span { background: var(--bad); } .meter.bad .level { color: var(--bad); }
        details.year { margin: 8px 0; } details.year > summary { cursor: pointer; padding: 6px 0; font-size: 1.05rem; }
        .legend { display:flex; flex-wrap:wrap; gap: 4px 18px; margin: 6px 0 12px; color: var(--muted); font-size: 0.9rem; list-style:none; padding:0; }
        .legend li { display:flex; align-items:center; gap:6px; } .legend svg { width:18px; height:18px; }
        .lanes-compact { display:none; list-style:none; padding:0; margin: 8px 0; }
        .lanes-compact li { margin: 0 0 10px; } .lanes-compact .marks { display:flex; flex-wrap:wrap; gap:4px 6px; margin-top:2px; }
        .mark { font-size: 0.85rem; border:1px solid #0b57d0; border-radius: 10px; padding: 0 6px; white-space:nowrap; }
        .mark.steroid { background:#0b57d0; color:#fff; } .mark.voided { border-color:#8c959f; color: var(--muted); text-decoration: line-through; background:#fff; }
        .mark.over { border-color: var(--bad); border-width:2px; }
        .verdict { font-size: 1.35rem; font-weight:700; margin:0; }
        .answer.ok .verdict { color: var(--ok); } .answer.no .verdict { color: var(--bad); }
        .warning { color: var(--warn); } .error { color: var(--bad); } .muted { color: var(--muted); }
        .errors { border-left: 4px solid var(--bad); padding: 4px 12px; background:#fff5f5; }
        .voided td { color: var(--muted); text-decoration: line-through; } .novoid { display:inline-block; text-decoration:none; color: var(--ink); }
        .meters { display:grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
        .meter { border:1px solid var(--line); border-radius:8px; padding: 8px 12px; }
        section.meter { margin: 12px 0; }
        meter { width: 100%; height: 1rem; }
        .secret { font-family: ui-monospace, monospace; background: var(--bg); padding: 6px 8px; border-radius:6px; word-break: break-all; }
        svg.timeline { width:100%; height:auto; border:1px solid var(--line); border-radius:8px; background:#fff; }
        @media (max-width: 640px) {
          main { padding: 12px; } .signout { margin-left:0; } header.top { padding: 8px 12px; }
          /* Tables become stacked rows: each cell on its own line, labelled by its column. */
          table.stack, table.stack tbody, table.stack tr, table.stack td { display:block; width:100%; }
          table.stack thead { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0,0,0,0); }
          table.stack tr { border:1px solid var(--line); border-radius:8px; margin: 0 0 10px; padding: 4px 8px; }
          table.stack td { border:none; padding: 2px 0; white-space: normal; }
          table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight:600; color: var(--muted); }
          svg.timeline { display:none; } .lanes-compact { display:block; }
          .meters { grid-template-columns: 1fr; }
          .grid { grid-template-columns: 1fr; }
          input, select { max-width: 100%; }
        }
        @media print { header.top, form, .noprint { display:none !important; } main { max-width:none; } }
        """;
}
