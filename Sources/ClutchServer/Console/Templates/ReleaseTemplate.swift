// The flag page's release card (ConsoleReleaseCard, ConsoleReleasesController): the latest
// guarded release in the environment — state, step, next step, figures per side, why it stopped,
// every transition — both sides' error rates over time as an SVG chart with a text alternative
// (its summary, and the samples as a table), pause / resume / abort for those the policy lets,
// and the start form when no release is running or paused. A refusal comes back beside its field
// (`problems.releaseX`) with the input kept. While a release runs, console.js fetches the page
// again every 2 seconds and swaps this card (`data-poll`), so the chart grows as samples come.
enum ReleaseTemplate {
    static let card = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}
        <section class="card release" aria-labelledby="release-h" id="release" data-live{{#releaseActive}} data-poll="true"{{/releaseActive}}>
          <h2 id="release-h">Guarded release in {{env}}</h2>
          {{#hasRelease}}
          <p><span class="badge release-state {{releaseStateClass}}" id="release-state">{{releaseState}}</span>
            “{{releaseVariant}}” at <strong id="release-percent">{{releasePercent}}</strong>, step {{releaseStep}} ({{releasePlan}}),
            started {{releaseStartedAt}} by {{releaseStartedBy}}.</p>
          <p class="meta">{{releasePolicyText}}.</p>
          {{#releaseStartMessage}}<p class="message">“{{.}}”</p>{{/releaseStartMessage}}
          {{#releaseNext}}<p id="release-next">{{.}}</p>{{/releaseNext}}
          {{#releaseReason}}<p class="problem" id="release-reason">{{.}}</p>{{/releaseReason}}
          <div class="scroll"><table class="release-figures">
            <caption>Rollout-decided evaluations and errors (verdict: <span id="release-verdict">{{releaseVerdict}}</span>)</caption>
            <thead><tr><th scope="col">Side</th><th scope="col">Since the start</th><th scope="col">This step</th></tr></thead>
            <tbody>
              <tr><th scope="row">New: “{{releaseVariant}}”</th><td>{{releaseNew}}</td><td>{{releaseStepNew}}</td></tr>
              <tr><th scope="row">Other</th><td>{{releaseOther}}</td><td>{{releaseStepOther}}</td></tr>
            </tbody>
          </table></div>
          {{#releaseHasSamples}}<figure class="usage release-chart">
            <svg class="chart" id="release-chart" viewBox="0 0 {{releaseChartWidth}} {{releaseChartHeight}}" role="img" aria-labelledby="release-chart-title release-chart-desc">
              <title id="release-chart-title">Error rates of both sides of the release in {{env}} over time (UTC)</title>
              <desc id="release-chart-desc">{{releaseChartSummary}}</desc>
              <line class="axis" x1="{{releaseLeft}}" y1="{{releasePlotBottom}}" x2="{{releasePlotRight}}" y2="{{releasePlotBottom}}"></line>
              {{#releaseStepLines}}<line class="step" x1="{{x}}" y1="0" x2="{{x}}" y2="{{releasePlotBottom}}"><title>{{label}}</title></line>{{/releaseStepLines}}
              {{#releaseYTicks}}<text x="2" y="{{y}}">{{label}}</text>{{/releaseYTicks}}
              {{#releaseXTicks}}<text x="{{x}}" y="{{releaseAxisY}}" text-anchor="{{anchor}}">{{label}}</text>{{/releaseXTicks}}
              <polyline class="other" points="{{releaseOtherPoints}}"></polyline>
              <polyline class="new" points="{{releaseNewPoints}}"></polyline>
              {{#releaseOtherDots}}<circle class="other" cx="{{cx}}" cy="{{cy}}" r="2.5"><title>Other: {{title}}</title></circle>{{/releaseOtherDots}}
              {{#releaseNewDots}}<circle class="new" cx="{{cx}}" cy="{{cy}}" r="3"><title>New: {{title}}</title></circle>{{/releaseNewDots}}
            </svg>
            <figcaption class="meta"><span class="key new">━ new “{{releaseVariant}}”</span> <span class="key other">╌ other</span> · {{releaseChartSummary}}</figcaption>
          </figure>
          <details><summary>Error rates over time as a table</summary>
            <div class="scroll"><table><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Step</th><th scope="col">New “{{releaseVariant}}”</th><th scope="col">Other</th></tr></thead>
            <tbody>{{#releaseSamples}}<tr><th scope="row">{{at}}</th><td>{{step}} ({{percent}})</td><td>{{new}}</td><td>{{other}}</td></tr>{{/releaseSamples}}</tbody></table></div>
          </details>{{/releaseHasSamples}}
          {{^releaseHasSamples}}<p class="meta" id="release-no-samples">No usage weighed yet: the chart starts when applications report evaluations of this flag.</p>{{/releaseHasSamples}}
          {{#problems.releaseMove}}<p class="problem" role="alert" id="release-move-problem">{{.}}</p>{{/problems.releaseMove}}
          {{#releaseActive}}<div class="buttons release-moves">
            {{#releaseRunning}}{{#canRespond}}<form method="post" action="{{releasePauseURL}}" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
              <button type="submit" id="release-pause">Pause the release</button>
            </form>{{/canRespond}}{{/releaseRunning}}
            {{#releasePaused}}{{#canRelease}}<form method="post" action="{{releaseResumeURL}}" class="inline" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
              {{#needsConfirm}}<label>To resume, type <strong>{{env}}</strong> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
              <button type="submit" id="release-resume">Resume at {{releasePercent}}</button>
            </form>{{/canRelease}}{{/releasePaused}}
            {{#canRespond}}<form method="post" action="{{releaseAbortURL}}" class="inline" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
              {{#needsConfirm}}<label>To abort, type <strong>{{env}}</strong> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
              <button type="submit" class="danger" id="release-abort">Abort: back to what it served before</button>
            </form>{{/canRespond}}
          </div>
          {{^canRespond}}<p class="why">{{whyRespond}}</p>{{/canRespond}}{{/releaseActive}}
          <details><summary>Every step, pause and resume</summary>
            <ol class="history release-history" reversed>{{#releaseTransitions}}<li><span class="meta">{{kind}} · {{at}} UTC ({{ago}}) · {{actor}}</span> {{text}}</li>{{/releaseTransitions}}</ol>
          </details>
          {{/hasRelease}}
          {{^hasRelease}}<p>No guarded release of this flag in {{env}} yet. A release hands the rollout to the server: it widens the variant step by step while the error rates applications report stay healthy, and rolls it back by itself when the new variant's are worse.</p>{{/hasRelease}}
          {{#problems.release}}<p class="problem" role="alert" id="release-problem">{{.}}</p>{{/problems.release}}
          {{#releaseCanStart}}{{#canRelease}}<form method="post" action="{{releaseStartURL}}" class="change" id="release-start" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
            <h3 class="sub">Start a guarded release</h3>
            <label>Variant to release <select name="releaseVariant">{{#releaseVariants}}<option value="{{key}}"{{#selected}} selected{{/selected}}>{{key}}</option>{{/releaseVariants}}</select></label>
            {{#problems.releaseVariant}}<p class="problem" role="alert" id="releaseVariant-problem">{{.}}</p>{{/problems.releaseVariant}}
            <label>Sticky by <span class="hint">the same value always gets the same answer</span> <input name="releaseBucketBy" type="text" value="{{releaseBucketBy}}" list="seen-attributes" autocomplete="off" required></label>
            {{#problems.releaseBucketBy}}<p class="problem" role="alert" id="releaseBucketBy-problem">{{.}}</p>{{/problems.releaseBucketBy}}
            <label>Steps <span class="hint">percentages, increasing, ending at 100</span> <input name="releaseSteps" type="text" value="{{releaseSteps}}" required></label>
            {{#problems.releaseSteps}}<p class="problem" role="alert" id="releaseSteps-problem">{{.}}</p>{{/problems.releaseSteps}}
            <label>Each step lasts at least <span class="hint">90s, 10m, 2h</span> <input name="releaseStepDuration" type="text" value="{{releaseStepDuration}}" required></label>
            {{#problems.releaseStepDuration}}<p class="problem" role="alert" id="releaseStepDuration-problem">{{.}}</p>{{/problems.releaseStepDuration}}
            <label>Evaluations each side needs per step <input name="releaseMinSamples" type="text" inputmode="numeric" value="{{releaseMinSamples}}" required></label>
            {{#problems.releaseMinSamples}}<p class="problem" role="alert" id="releaseMinSamples-problem">{{.}}</p>{{/problems.releaseMinSamples}}
            <label>Roll back above this multiple of the other side's error rate <input name="releaseMaxErrorRatio" type="text" inputmode="decimal" value="{{releaseMaxErrorRatio}}" required></label>
            {{#problems.releaseMaxErrorRatio}}<p class="problem" role="alert" id="releaseMaxErrorRatio-problem">{{.}}</p>{{/problems.releaseMaxErrorRatio}}
            <label>Restart from (optional) <span class="hint">a percentage, instead of the exposure the flag already gives the variant</span> <input name="releaseRestartFrom" type="text" inputmode="decimal" value="{{releaseRestartFrom}}"></label>
            {{#problems.releaseRestartFrom}}<p class="problem" role="alert" id="releaseRestartFrom-problem">{{.}}</p>{{/problems.releaseRestartFrom}}
            <label>Message (optional, kept in the history) <input name="releaseMessage" type="text" maxlength="500" value="{{releaseMessage}}"></label>
            {{#problems.releaseMessage}}<p class="problem" role="alert" id="releaseMessage-problem">{{.}}</p>{{/problems.releaseMessage}}
            {{#needsConfirm}}<label class="confirm-field"><span>To start it, type <strong>{{env}}</strong></span> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
            {{#problems.releaseConfirm}}<p class="problem" role="alert" id="releaseConfirm-problem">{{.}}</p>{{/problems.releaseConfirm}}
            <button type="submit" class="primary">Start the release in {{env}}</button>
          </form>{{/canRelease}}{{^canRelease}}<p class="why">{{whyRelease}}</p>{{/canRelease}}{{/releaseCanStart}}
        </section>
        """#
}
