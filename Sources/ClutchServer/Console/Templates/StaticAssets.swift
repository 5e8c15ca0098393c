// The console's stylesheet and script, served from memory under /ui/static/. Hand-written, no
// build step, no CDN; the pages work without the script (it only adds confirmations).
enum StaticAssets {
    static let css = #"""
        :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --soft: #f6f8fa;
                --on: #1a7f37; --off: #6e7781; --danger: #cf222e; --accent: #0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--soft); }
        .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
        .signout { display: flex; gap: .5rem; align-items: center; margin: 0; }
        .who { color: var(--muted); font-size: .9rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0 1rem; word-break: break-all; }
        h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin: 1rem 0; }
        .card.narrow { max-width: 24rem; display: grid; gap: .5rem; }
        .card.danger { border-color: var(--danger); }
        label { font-weight: 600; font-size: .9rem; }
        input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
        button { cursor: pointer; background: var(--soft); }
        button:disabled { opacity: .5; cursor: not-allowed; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
        .change { display: grid; gap: .4rem; max-width: 28rem; }
        .filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin: 1rem 0; }
        .filters label { display: grid; gap: .25rem; }
        .envs { display: flex; flex-wrap: wrap; gap: .5rem; }
        .envs a { padding: .3rem .7rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; }
        .envs a.current { background: var(--fg); color: var(--bg); border-color: var(--fg); }
        .envs a.current .on, .envs a.current .off { color: inherit; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        thead th { font-size: .85rem; color: var(--muted); }
        tbody th { font-weight: 400; }
        tbody th { min-width: 10rem; }
        tbody th a { font-weight: 600; overflow-wrap: anywhere; }
        .on { color: var(--on); font-weight: 600; }
        .off { color: var(--off); }
        .state { padding: .1rem .5rem; border-radius: 4px; border: 1px solid currentColor; }
        .desc { color: var(--muted); font-size: .9rem; }
        .tag, .badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 4px; background: var(--soft); border: 1px solid var(--line); }
        .badge.stale { border-color: #9a6700; color: #9a6700; }
        .meta, .count, .hint, .crumbs { color: var(--muted); font-size: .9rem; }
        .notice { padding: .5rem .75rem; border-left: 4px solid var(--on); background: var(--soft); }
        .problem { padding: .5rem .75rem; border-left: 4px solid var(--danger); background: var(--soft); }
        .steps li { margin: .25rem 0; }
        .steps li.off { font-weight: 600; }
        .history { list-style: none; padding-left: 0; }
        .history li { margin: .4rem 0; }
        .message { font-style: italic; }
        @media (max-width: 40rem) { main { padding: .75rem; } thead th { font-size: .75rem; } th, td { padding: .4rem .3rem; } }
        """#

    static let js = #"""
        // Enhancements only: every form works without this file, and the server checks again.
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          // Production switch: keep the button disabled until the environment's name is typed.
          document.querySelectorAll("form[data-confirm-env]").forEach(function (form) {
            var env = form.getAttribute("data-confirm-env");
            var field = form.querySelector("input[name=confirm]");
            var button = form.querySelector("button[type=submit]");
            if (!env || !field || !button) { return; }
            var update = function () { button.disabled = field.value !== env; };
            field.addEventListener("input", update);
            update();
          });
          // Kill switch: ask once more, it turns the flag off everywhere.
          document.querySelectorAll("form[data-kill]").forEach(function (form) {
            form.addEventListener("submit", function (event) {
              var key = form.getAttribute("data-kill");
              if (!window.confirm("Turn " + key + " off in every environment?")) { event.preventDefault(); }
            });
          });
        });
        """#
}
