// The console's stylesheet and script, served from memory under /ui/static/. Hand-written, no
// build step, no CDN; the pages work without the script (it adds confirmations and live updates).
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
        .badge.archived { color: var(--muted, #666); }
        .meta, .count, .hint, .crumbs { color: var(--muted); font-size: .9rem; }
        .notice { padding: .5rem .75rem; border-left: 4px solid var(--on); background: var(--soft); }
        .problem { padding: .5rem .75rem; border-left: 4px solid var(--danger); background: var(--soft); }
        .steps li { margin: .25rem 0; }
        .steps li.off { font-weight: 600; }
        .history { list-style: none; padding-left: 0; }
        .history li { margin: .4rem 0; }
        .message { font-style: italic; }
        .sections { display: flex; gap: 1rem; flex-wrap: wrap; }
        .sections a { text-decoration: none; font-weight: 600; }
        textarea { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; width: 100%; }
        textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .change label { display: grid; gap: .2rem; }
        .change .hint { font-weight: 400; }
        .buttons { display: flex; flex-wrap: wrap; gap: .5rem; }
        a.button { display: inline-block; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); text-decoration: none; color: var(--fg); }
        .grid { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
        .chips { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
        .chip { display: inline-block; padding: .1rem .5rem; border: 1px solid var(--line); border-radius: 999px; background: var(--soft); overflow-wrap: anywhere; }
        .plain { padding-left: 1.2rem; }
        .rules li { margin: .5rem 0; }
        .rule-actions { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .3rem; }
        form.inline { display: inline-flex; flex-wrap: wrap; gap: .3rem; align-items: end; margin: 0; }
        form.inline label { font-size: .8rem; }
        form.inline input[type=text] { width: 9rem; padding: .25rem .4rem; }
        dl.result { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dl.result dt { font-weight: 600; }
        dl.result dd { margin: 0; overflow-wrap: anywhere; }
        ul.diff { list-style: none; padding-left: 0; font-size: .9rem; }
        ul.diff li { margin: .2rem 0; overflow-wrap: anywhere; }
        del { color: var(--danger); } del::before { content: "was "; color: var(--muted); text-decoration: none; }
        ins { color: var(--on); text-decoration: none; } ins::before { content: "now "; color: var(--muted); }
        ol.revisions { list-style: none; padding-left: 0; }
        .live-status:empty { display: none; }
        .card.pending { border-left: 4px solid var(--accent); }
        .card.request { border-left: 4px solid #9a6700; }
        .blocked-banner { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
        .blocked-banner p { margin: 0; flex: 1 1 20rem; }
        .change label.choice { display: flex; gap: .4rem; align-items: center; font-weight: 400; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; }
        .live-status { padding: .4rem .75rem; border-left: 4px solid var(--accent); background: var(--soft); }
        .pager { display: flex; gap: 1rem; }
        code { overflow-wrap: anywhere; }
        figure.usage { margin: .5rem 0; min-width: 0; }
        #usage { min-width: 0; overflow-wrap: anywhere; }
        svg.chart { width: 100%; max-width: 36rem; height: auto; display: block; }
        svg.chart rect { fill: var(--accent); }
        svg.chart text { font-size: 10px; fill: var(--muted); }
        .swatch.s0 { background: #0969da; } .swatch.s1 { background: #bf8700; } .swatch.s2 { background: #1a7f37; }
        .swatch.s3 { background: #8250df; } .swatch.s4 { background: #cf222e; } .swatch.s5 { background: #57606a; }
        svg.chart rect.s0 { fill: #0969da; } svg.chart rect.s1 { fill: #bf8700; } svg.chart rect.s2 { fill: #1a7f37; }
        svg.chart rect.s3 { fill: #8250df; } svg.chart rect.s4 { fill: #cf222e; } svg.chart rect.s5 { fill: #57606a; }
        ul.legend { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .9rem; }
        .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem; vertical-align: -.05rem; }
        .windows a { padding: .1rem .5rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; }
        .windows a.current { background: var(--fg); color: var(--bg); border-color: var(--fg); }
        table.variants caption { text-align: left; font-size: .9rem; color: var(--muted); }
        svg.chart polyline { fill: none; stroke-width: 2; }
        svg.chart polyline.new, svg.chart circle.new { stroke: var(--danger); }
        svg.chart circle.new { fill: var(--danger); }
        svg.chart polyline.other { stroke: var(--fg); stroke-dasharray: 6 4; }
        svg.chart circle.other { fill: var(--fg); }
        svg.chart line.axis { stroke: var(--muted); }
        svg.chart line.step { stroke: var(--muted); stroke-dasharray: 2 3; }
        .key.new { color: var(--danger); } .key.other { color: var(--fg); }
        .release-state.running { border-color: var(--on); color: var(--on); }
        .release-state.paused, .release-state.rolled_back, .release-state.aborted { border-color: var(--danger); color: var(--danger); }
        table.release-figures caption { text-align: left; font-size: .9rem; color: var(--muted); }
        h3.sub { font-size: 1rem; margin: .75rem 0 .25rem; }
        @media (max-width: 40rem) { main { padding: .75rem; } thead th { font-size: .75rem; } th, td { padding: .4rem .3rem; } }
        """#

    static let js = #"""
        // Enhancements only: every form works without this file, and the server checks again.
        "use strict";
        function wire(root) {
          // Production (or, for the kill switch, every environment): keep a form's buttons disabled
          // until the word the server checks (ConsoleConfirmation) is typed.
          root.querySelectorAll("form[data-confirm-env]").forEach(function (form) {
            if (form.getAttribute("data-wired")) { return; }
            form.setAttribute("data-wired", "true");
            var env = form.getAttribute("data-confirm-env");
            var field = form.querySelector("input[name=confirm]");
            var buttons = form.querySelectorAll("button[type=submit]");
            if (!env || !field || buttons.length === 0) { return; }
            var update = function () { buttons.forEach(function (button) { button.disabled = field.value.trim() !== env; }); };
            field.addEventListener("input", update);
            update();
          });
          // Scheduling: the date and time typed are the viewer's own. The minutes their zone is ahead
          // of UTC at that moment go along in tzOffset (the server subtracts them); without this
          // script the field is UTC, as its label then says.
          var zoneName = "";
          try { zoneName = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zoneName = ""; }
          root.querySelectorAll("input[data-tz-offset]").forEach(function (offset) {
            var form = offset.form, at = form && form.querySelector("input[name=at]");
            if (!at || offset.getAttribute("data-wired")) { return; }
            offset.setAttribute("data-wired", "true");
            var zone = form.querySelector("[data-tz-zone]");
            if (zone) { zone.textContent = "(your time" + (zoneName ? ", " + zoneName : "") + ")"; }
            var fill = function () {
              var local = at.value ? new Date(at.value) : new Date();
              offset.value = String(-(isNaN(local.getTime()) ? new Date() : local).getTimezoneOffset());
            };
            at.addEventListener("input", fill);
            form.addEventListener("submit", fill);
            fill();
          });
          // Scheduled times: the viewer's local time first, the server's UTC text beside it.
          root.querySelectorAll("time[data-local]").forEach(function (time) {
            var date = new Date(time.getAttribute("datetime"));
            if (time.getAttribute("data-wired") || isNaN(date.getTime())) { return; }
            time.setAttribute("data-wired", "true");
            var two = function (n) { return (n < 10 ? "0" : "") + n; };
            var local = date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + " " + two(date.getHours()) + ":" + two(date.getMinutes());
            time.textContent = local + " your time" + (zoneName ? " (" + zoneName + ")" : "") + " · " + time.textContent;
          });
          // Rollout: as the percentage is typed, how many of the last day's evaluations it would
          // cover (the server's figure for the current percentage: RecentUsage.covered).
          var note = root.querySelector("#coverage[data-reachable]");
          var figure = root.querySelector("#coverage-figure");
          var percent = root.querySelector("#live-rollout input[name=percent]");
          if (note && figure && percent && !percent.getAttribute("data-wired")) {
            percent.setAttribute("data-wired", "true");
            var reachable = Number(note.getAttribute("data-reachable"));
            var bound = note.getAttribute("data-bound") === "true";
            percent.addEventListener("input", function () {
              var typed = percent.value.trim(), share = Number(typed);
              if (typed === "" || !isFinite(share) || share < 0 || share > 100) { figure.textContent = ""; return; }
              var covered = Math.round(reachable * share / 100);
              figure.textContent = typed + " % would cover " + (bound ? "at most " : "") + "about " + covered.toLocaleString("en-US") + ".";
            });
          }
        }
        document.addEventListener("DOMContentLoaded", function () {
          wire(document);
          // Live: when the environment changes, fetch this page again and swap the parts marked
          // data-live (not the one being typed in), so a change made elsewhere shows at once.
          var page = document.getElementById("flag-page");
          if (page && window.EventSource && window.fetch && window.DOMParser) {
            var status = document.getElementById("live-status");
            var refresh = function () {
              window.fetch(page.getAttribute("data-page"), { credentials: "same-origin", cache: "no-store" })
                .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
                .then(function (html) {
                  var fresh = new DOMParser().parseFromString(html, "text/html");
                  var was = document.getElementById("revision"), now = fresh.getElementById("revision");
                  // Another flag of the environment changed: nothing to show.
                  if (!was || !now || was.textContent === now.textContent) { return; }
                  // A pending change is shown as it would make the flag: keep it, and say so.
                  if (page.getAttribute("data-pending")) {
                    if (status) { status.textContent = "This flag was changed elsewhere (revision " + now.textContent + "); your pending change will be applied on top of that."; }
                    return;
                  }
                  document.querySelectorAll("[data-live]").forEach(function (old) {
                    var next = fresh.getElementById(old.id);
                    if (next && !old.contains(document.activeElement)) { old.replaceWith(document.importNode(next, true)); }
                  });
                  if (status) { status.textContent = "Updated: this flag was changed to revision " + now.textContent + "."; }
                  wire(document);
                })
                .catch(function () {});
            };
            // A running release's card: fetched again every few seconds (its samples grow without
            // the flag changing), unless someone is typing in it.
            var poll = function () {
              window.setTimeout(function () {
                var card = document.querySelector("[data-poll]");
                if (!card) { poll(); return; }
                window.fetch(page.getAttribute("data-page"), { credentials: "same-origin", cache: "no-store" })
                  .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
                  .then(function (html) {
                    var next = new DOMParser().parseFromString(html, "text/html").getElementById(card.id);
                    if (next && !card.contains(document.activeElement)) { card.replaceWith(document.importNode(next, true)); wire(document); }
                  })
                  .catch(function () {})
                  .then(poll);
              }, 2000);
            };
            poll();
            var source = new EventSource(page.getAttribute("data-events"));
            source.addEventListener("ready", function () { page.setAttribute("data-live-ready", "true"); });
            source.addEventListener("change", refresh);
          }
        });
        // The flag list answers as the filters are typed: 250 ms after the last key, the results
        // of the filter form (`fragment=results`, the server's paged search) are swapped in and the
        // address follows, so the view can still be bookmarked. Without this, "Apply" does it.
        document.addEventListener("DOMContentLoaded", function () {
          var form = document.getElementById("flag-filters");
          var results = document.getElementById("flag-results");
          if (!form || !results || !window.fetch || !window.DOMParser || !window.URLSearchParams || !window.FormData) { return; }
          var timer = null, sent = 0;
          var search = function () {
            var query = new URLSearchParams(new FormData(form)).toString();
            var mine = ++sent;
            window.fetch(form.getAttribute("action") + "?" + query + "&fragment=results", { credentials: "same-origin", cache: "no-store" })
              .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
              .then(function (html) {
                if (mine !== sent) { return; } // an older answer, arriving after a newer one was asked for
                var fresh = new DOMParser().parseFromString(html, "text/html");
                results.replaceChildren.apply(results, Array.prototype.map.call(fresh.body.childNodes, function (node) {
                  return document.importNode(node, true);
                }));
                window.history.replaceState(null, "", form.getAttribute("action") + "?" + query);
                results.setAttribute("data-query", query);
              })
              .catch(function () {});
          };
          form.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(search, 250); });
        });
        """#
}
