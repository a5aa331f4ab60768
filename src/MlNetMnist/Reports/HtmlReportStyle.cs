namespace MlNetMnist.Reports;

/// <summary>The style sheet embedded in the HTML report (system fonts only, nothing loaded).</summary>
internal static class HtmlReportStyle
{
    public const string Css = """

        :root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff; --page: #f3f4f6; --accent: #084594; --bad: #a50f15; }
        * { box-sizing: border-box; }
        body { margin: 0; padding: 24px 32px 40px; background: var(--page); color: var(--ink);
               font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
        header h1 { margin: 0 0 4px; font-size: 26px; }
        .subtitle, .hint, footer { color: var(--muted); }
        .hint { margin: 0 0 10px; max-width: 70em; }
        h2 { margin: 0 0 8px; font-size: 18px; }
        h3 { margin: 0; font-size: 15px; font-weight: 600; }
        section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 16px 0; }
        .two-columns { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; margin: 16px 0; }
        .two-columns > section { margin: 0; min-width: 0; }
        .two-columns > #confusion { flex: 0 1 auto; }
        .two-columns > #confusion .hint { max-width: 40em; }
        .two-columns > #per-class { flex: 1 1 560px; }
        .scroll { overflow-x: auto; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; }
        .card { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
        .card .value { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
        .card.main .value { color: var(--accent); font-size: 28px; }
        .card .name { font-weight: 600; }
        .card .note { color: var(--muted); font-size: 12px; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 8px; }
        table.metrics th, table.metrics td, table.entries th, table.entries td { border-bottom: 1px solid var(--line); text-align: right; }
        table.metrics th[scope="row"], table.entries th, table.entries td { text-align: left; }
        table.metrics thead th { border-bottom: 2px solid var(--line); white-space: nowrap; }
        td.bar { background: linear-gradient(to right, rgba(8, 69, 148, 0.18) var(--v), transparent var(--v)); }
        table.heatmap th { font-weight: 600; text-align: center; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        table.heatmap thead th { max-width: 6em; }
        table.heatmap th[scope="row"] { max-width: 10em; }
        table.metrics th[scope="row"] { max-width: 12em; overflow-wrap: anywhere; }
        table.heatmap th[scope="row"] { text-align: right; }
        table.heatmap thead th.corner { color: var(--muted); font-weight: 400; font-size: 12px; max-width: none; }
        table.heatmap td.cell { min-width: 44px; height: 38px; text-align: center; border: 1px solid var(--line); font-weight: 600; }
        table.heatmap.dense td.cell { min-width: 24px; height: 22px; font-size: 10px; padding: 1px; }
        table.heatmap .total { color: var(--muted); text-align: right; font-size: 12px; }
        .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 6px; vertical-align: -1px; }
        .swatch.blue { background: #084594; }
        .swatch.red { background: #a50f15; }
        .confusions { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
        .confusion { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
        .confusion .count { margin: 2px 0 8px; color: var(--muted); }
        .label { display: inline-block; padding: 1px 8px; border-radius: 999px; font-weight: 700; }
        .label.true { background: #deebf7; color: var(--accent); }
        .label.predicted { background: #fee0d2; color: var(--bad); }
        .arrow { color: var(--muted); }
        .thumbs { display: flex; flex-wrap: wrap; gap: 8px; }
        figure.thumb { margin: 0; text-align: center; }
        figure.thumb img { display: block; margin: 0 auto; image-rendering: pixelated; background: #000; border-radius: 4px; }
        figure.thumb figcaption { font-size: 11px; color: var(--muted); max-width: 96px; overflow-wrap: anywhere; }
        .gallery figure.thumb figcaption { color: var(--ink); }
        .samples figure.thumb figcaption { font-weight: 600; color: var(--ink); }
        .no-image { display: inline-block; width: 56px; height: 56px; line-height: 56px; background: var(--line); border-radius: 4px; }
        .none { color: var(--muted); font-style: italic; }
        img.chart { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
        .metadata { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
        table.entries caption { text-align: left; font-weight: 600; padding: 4px 8px; }
        table.entries th { font-weight: 500; color: var(--muted); }
        table.entries td { overflow-wrap: anywhere; max-width: 36em; }
        footer { margin-top: 8px; font-size: 12px; }
        """;
}
