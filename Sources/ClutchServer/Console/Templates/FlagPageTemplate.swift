// `/ui/flags/{key}`: what everyone gets, in evaluation order, and every control. Every card's
// form is a POST with the session's CSRF token and the page's pending change (the `changeFields`
// partial) that adds its edit to that change; the "Pending change" card says in plain language
// what the change does and applies it with one message and, in production, the environment's
// name typed as confirmation (the kill switch, every environment at once: the flag's key; see
// ConsoleConfirmation). A refused edit comes back on this page with the error beside its field
// (`problems.NAME`) and what was typed kept (`input.NAME`). Sections marked `data-live` are
// replaced by console.js when the flag changes elsewhere (not while a change is pending). A
// control the session may not use is not shown; a `why` note in its place gives the policy's reason.
enum FlagPageTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <div id="flag-page" data-events="{{eventsURL}}" data-page="{{pageURL}}"{{#pending}} data-pending="true"{{/pending}}>
        <p class="crumbs"><a href="{{listURL}}">← All flags</a> · <a href="{{historyURL}}">History</a></p>
        <h1>{{key}} {{#archived}}<span class="badge">archived</span>{{/archived}}</h1>
        {{#blocks}}<div class="blocked-banner"><p class="problem blocked" role="alert">{{text}}: changes that widen it wait; turning off and kill still apply.</p>{{#mayUnblock}}<form method="post" action="{{unblockURL}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="flag"><input type="hidden" name="flag" value="{{key}}"><button type="submit" aria-label="Unblock {{subject}}">Unblock</button></form>{{/mayUnblock}}</div>{{/blocks}}
        {{#requests}}{{> requestCard}}{{/requests}}
        {{#description}}<p class="desc">{{.}}</p>{{/description}}
        {{#hasTags}}<p class="tags">{{#tags}}<span class="tag">{{.}}</span> {{/tags}}</p>{{/hasTags}}
        <p class="live-status" role="status" aria-live="polite" id="live-status"></p>
        {{#pending}}
        <section class="card pending" aria-labelledby="pending-h" id="pending">
          <h2 id="pending-h">Pending change in {{env}}: not applied yet</h2>
          {{#empty}}<p>It changes nothing: the flag already is like that.</p>{{/empty}}
          <ul class="plain-diff" id="pending-diff">{{#sentences}}<li>{{.}}</li>{{/sentences}}</ul>
          {{#problems.apply}}<p class="problem" role="alert" id="apply-problem">{{.}}</p>{{/problems.apply}}
          {{#pendingWarnings}}<p class="problem attribute-warning pending-warning">Warning: {{.}}</p>{{/pendingWarnings}}
          {{#needsReview}}<p class="hint" id="review-hint">{{env}} is protected: this change widens exposure, so it applies only once a change request has {{approvalsText}}.</p>
          {{#canRequest}}<form method="post" action="{{requestURL}}" class="change" id="request-form">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}"><input type="hidden" name="pending" value="{{encoded}}">
            <label>Message (optional, shown to the reviewers and kept in the history) <input name="message" type="text" maxlength="500" value="{{message}}"></label>
            {{#problems.message}}<p class="problem" role="alert" id="message-problem">{{.}}</p>{{/problems.message}}
            <label>Apply at (optional, UTC; once approved) <input name="at" type="datetime-local" value="{{input.at}}"></label>
            {{#problems.at}}<p class="problem" role="alert" id="at-problem">{{.}}</p>{{/problems.at}}
            {{#problems.request}}<p class="problem" role="alert" id="request-problem">{{.}}</p>{{/problems.request}}
            <div class="buttons"><button type="submit" class="primary">Request review</button> <a class="button" href="{{pageURL}}">Discard</a></div>
          </form>{{/canRequest}}{{^canRequest}}<p class="why">{{whyRequest}}</p>{{/canRequest}}
          {{/needsReview}}{{^needsReview}}
          {{#canApply}}<form method="post" action="{{applyURL}}" class="change" id="apply-form" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}"><input type="hidden" name="pending" value="{{encoded}}">
            <label>Message (optional, kept in the history) <input name="message" type="text" maxlength="500" value="{{message}}"></label>
            {{#problems.message}}<p class="problem" role="alert" id="message-problem">{{.}}</p>{{/problems.message}}
            {{#needsConfirm}}<label class="confirm-field"><span>Type <strong>{{env}}</strong> to confirm</span> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
            {{#problems.confirm}}<p class="problem" role="alert" id="confirm-problem">{{.}}</p>{{/problems.confirm}}
            <div class="buttons"><button type="submit" class="primary">Apply the change in {{env}}</button> <a class="button" href="{{pageURL}}">Discard</a></div>
            <fieldset class="later"><legend>Or apply it later</legend>
              <label>Date and time <span data-tz-zone>(UTC)</span> <input name="at" type="datetime-local" value="{{input.at}}"></label>
              <input type="hidden" name="tzOffset" value="" data-tz-offset>
              {{#problems.at}}<p class="problem" role="alert" id="at-problem">{{.}}</p>{{/problems.at}}
              <button type="submit" name="when" value="later">Schedule the change</button>
            </fieldset>
          </form>{{/canApply}}{{^canApply}}<p class="why">{{whyApply}}</p>{{/canApply}}{{/needsReview}}
          <p class="hint">The page below shows the flag as this change would make it; more edits are added to the same change.</p>
        </section>
        {{/pending}}
        {{^pending}}{{#canEdit}}<p class="hint">Edits below are collected into one change that you review and apply once.</p>{{/canEdit}}{{/pending}}
        <div id="live-summary" data-live>
        <p class="meta">{{type}} · revision <span id="revision">{{revision}}</span> · updated {{updatedAt}} by {{updatedBy}}</p>
        <p class="meta">{{kind}} flag{{#owner}} · owner {{.}}{{/owner}} · stage in {{env}}: <span class="badge {{stage}}">{{stage}}</span>{{#stageReason}} ({{.}}){{/stageReason}}</p>
        <nav class="envs" aria-label="Environment">
          {{#environments}}<a href="{{url}}"{{#current}} aria-current="page" class="current"{{/current}}>{{key}} <span class="{{#on}}on{{/on}}{{^on}}off{{/on}}">{{#on}}On{{/on}}{{^on}}Off{{/on}}</span></a>{{/environments}}
        </nav>

        <section class="card" aria-labelledby="gets">
          <h2 id="gets">In {{env}}: <span class="state {{#on}}on{{/on}}{{^on}}off{{/on}}">{{#on}}On{{/on}}{{^on}}Off{{/on}}</span></h2>
          <ol class="steps">
            {{#steps}}<li class="step {{kind}}">{{text}}</li>{{/steps}}
          </ol>
          <p class="meta">Last evaluated here: {{lastEvaluated}}</p>
          {{#attributeWarnings}}<p class="problem attribute-warning">Warning: {{.}}</p>{{/attributeWarnings}}
        </section>
        </div>
        {{> usageCard}}
        {{> releaseCard}}

        {{#hasSchedules}}<section class="card" aria-labelledby="schedules-h" id="schedules">
          <h2 id="schedules-h">Scheduled in {{env}}</h2>
          <ul class="plain">{{#schedules}}<li class="schedule"><span class="meta"><time datetime="{{at}}" data-local>{{atText}}</time> · {{by}}</span>
            <ul class="plain-diff">{{#sentences}}<li>{{.}}</li>{{/sentences}}</ul>{{#scheduleMessage}}<div class="message">“{{.}}”</div>{{/scheduleMessage}}
            {{#canEdit}}<form method="post" action="{{cancelURL}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Cancel the change scheduled for {{atText}}">Cancel</button></form>{{/canEdit}}
          </li>{{/schedules}}</ul>
        </section>{{/hasSchedules}}
        <div class="grid">
        <section class="card" aria-labelledby="switch" id="live-switch" data-live>
          <h2 id="switch">Switch {{#on}}off{{/on}}{{^on}}on{{/on}} in {{env}}</h2>
          {{#canSwitch}}<form method="post" action="{{toggleURL}}" class="change">
            <input type="hidden" name="to" value="{{#on}}off{{/on}}{{^on}}on{{/on}}">
            {{> changeFields}}
            {{#problems.switch}}<p class="problem" role="alert">{{.}}</p>{{/problems.switch}}
            <button type="submit" class="primary">{{#on}}Turn off{{/on}}{{^on}}Turn on{{/on}} in {{env}}</button>
          </form>{{/canSwitch}}{{^canSwitch}}<p class="why">{{whySwitch}}</p>{{/canSwitch}}
        </section>

        <section class="card" aria-labelledby="admins-h" id="live-admins" data-live>
          <h2 id="admins-h">Admins only</h2>
          <p>Admins (contexts whose <code>role</code> includes <code>admin</code>) {{#admins}}<strong>get it</strong>: a rule serves them “{{serveVariant}}”.{{/admins}}{{^admins}}are <strong>not targeted</strong>.{{/admins}}</p>
          {{#canEdit}}<form method="post" action="{{adminsURL}}" class="change">
            <input type="hidden" name="to" value="{{#admins}}off{{/admins}}{{^admins}}on{{/admins}}">
            {{> changeFields}}
            {{#problems.admins}}<p class="problem" role="alert">{{.}}</p>{{/problems.admins}}
            <button type="submit">{{#admins}}Stop serving admins{{/admins}}{{^admins}}Serve to admins only{{/admins}}</button>
          </form>{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
        </section>
        </div>

        <div class="grid">
        <section class="card" aria-labelledby="customers-h" id="live-customers" data-live>
          <h2 id="customers-h">Customers</h2>
          {{#hasCustomers}}<p>{{customerCount}} named customer(s) targeted:</p>
          <ul class="chips" aria-label="Targeted customers">{{#customers}}<li><span class="chip">{{id}}</span> <span class="meta">gets “{{variant}}”</span></li>{{/customers}}</ul>{{/hasCustomers}}
          {{^hasCustomers}}<p>No customer is targeted by name.</p>{{/hasCustomers}}
          {{#canEdit}}<form method="post" action="{{customersURL}}" class="change">
            <label>Customers <span class="hint">customerId values, separated by commas or new lines</span>
              <textarea name="customers" rows="3" required>{{input.customers}}</textarea></label>
            {{#problems.customers}}<p class="problem" role="alert" id="customers-problem">{{.}}</p>{{/problems.customers}}
            {{> serveField}}
            {{> changeFields}}
            <div class="buttons">
              <button type="submit" name="do" value="add">Add customers</button>
              <button type="submit" name="do" value="remove">Remove customers</button>
            </div>
          </form>{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
        </section>

        <section class="card" aria-labelledby="cohorts-h" id="live-cohorts" data-live>
          <h2 id="cohorts-h">Cohorts</h2>
          <ul class="plain">{{#cohortTargets}}<li>Cohort <a href="/ui/cohorts/{{name}}?env={{env}}">{{name}}</a> ({{size}}) gets {{serve}}</li>{{/cohortTargets}}</ul>
          {{^cohortTargets}}<p>No cohort is targeted.</p>{{/cohortTargets}}
          {{#canEdit}}{{#hasCohorts}}
          <form method="post" action="{{cohortsURL}}" class="change">
            <label>Cohort
              <select name="cohort">{{#cohortChoices}}<option value="{{key}}">{{key}} ({{size}} members)</option>{{/cohortChoices}}</select></label>
            {{#problems.cohort}}<p class="problem" role="alert">{{.}}</p>{{/problems.cohort}}
            {{> serveField}}
            {{> changeFields}}
            <div class="buttons">
              <button type="submit" name="do" value="add">Target cohort</button>
              <button type="submit" name="do" value="remove">Stop targeting cohort</button>
            </div>
          </form>
          {{/hasCohorts}}{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
          {{^hasCohorts}}<p class="hint">{{env}} has no cohorts yet: <a href="/ui/cohorts?env={{env}}">create one</a>.</p>{{/hasCohorts}}
        </section>
        </div>
        <div class="grid">

        <section class="card" aria-labelledby="rollout-h" id="live-rollout" data-live>
          <h2 id="rollout-h">Rollout</h2>
          <p>Everyone not matched by a target or rule: {{#hasRollout}}{{rolloutPercent}} % get “{{serveVariant}}”.{{/hasRollout}}{{^hasRollout}}no percentage rollout.{{/hasRollout}}</p>
          {{#hasUsage}}<p class="meta" id="coverage" data-reachable="{{usageReachable}}" data-bound="{{#usageIsBound}}true{{/usageIsBound}}">{{usageSentence}} <span id="coverage-figure" aria-live="polite">{{usageCoverage}}</span></p>{{/hasUsage}}
          {{^hasUsage}}<p class="meta" id="coverage">No evaluations of this flag in {{env}} were reported in the last day, so there is no figure yet for how many a percentage would cover.</p>{{/hasUsage}}
          {{#canEdit}}<form method="post" action="{{rolloutURL}}" class="change">
            <label>Rollout <span class="hint">percentage, 0–100</span>
              <input name="percent" type="number" min="0" max="100" step="0.001" value="{{#problems.percent}}{{input.percent}}{{/problems.percent}}{{^problems.percent}}{{rolloutPercent}}{{/problems.percent}}" required inputmode="decimal"></label>
            {{#problems.percent}}<p class="problem" role="alert" id="percent-problem">{{.}}</p>{{/problems.percent}}
            <label>Sticky by <span class="hint">the same value always gets the same answer</span>
              <select name="bucketBy">
                {{#stickyChoices}}<option value="{{key}}"{{#selected}} selected{{/selected}}>{{key}}</option>{{/stickyChoices}}
                <option value="other"{{#stickyIsOther}} selected{{/stickyIsOther}}>another attribute…</option>
              </select></label>
            <label>Other sticky attribute <input name="bucketOther" type="text" value="{{stickyOther}}" list="seen-attributes" autocomplete="off"></label>
            {{#problems.bucketOther}}<p class="problem" role="alert">{{.}}</p>{{/problems.bucketOther}}
            {{> serveField}}
            {{> changeFields}}
            <button type="submit">Set rollout</button>
          </form>{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
        </section>

        <section class="card" aria-labelledby="rules-h" id="live-rules" data-live>
          <h2 id="rules-h">Rules</h2>
          <p class="hint">Checked in order, after the targets; the first rule that matches decides.</p>
          <ol class="rules">
            {{#rules}}<li>
              <span>If {{text}} → gets {{serve}}</span>{{#ruleDescription}} <span class="meta">({{.}})</span>{{/ruleDescription}}
              {{#canEdit}}<span class="rule-actions">
              {{#canUp}}<form method="post" action="{{moveURL}}" class="inline"><input type="hidden" name="to" value="up">{{> changeFields}}<button type="submit" aria-label="Move rule {{number}} up">↑ Up</button></form>{{/canUp}}
              {{#canDown}}<form method="post" action="{{moveURL}}" class="inline"><input type="hidden" name="to" value="down">{{> changeFields}}<button type="submit" aria-label="Move rule {{number}} down">↓ Down</button></form>{{/canDown}}
              <form method="post" action="{{removeURL}}" class="inline">{{> changeFields}}<button type="submit" aria-label="Remove rule {{number}}">Remove</button></form>
              </span>{{/canEdit}}
            </li>{{/rules}}
          </ol>
          {{^rules}}<p>No rules.</p>{{/rules}}
          {{#problems.rules}}<p class="problem" role="alert">{{.}}</p>{{/problems.rules}}
          {{#canEdit}}<form method="post" action="{{rulesURL}}" class="change">
            <label>Conditions <span class="hint">one per line, all must hold, e.g. <code>plan in enterprise,pro</code>, <code>email endsWith @acme.com</code>, <code>in cohort beta</code>; put <code>not</code> in front to negate</span>
              <textarea name="conditions" rows="3" required>{{input.conditions}}</textarea></label>
            {{#problems.conditions}}<p class="problem" role="alert" id="conditions-problem">{{.}}</p>{{/problems.conditions}}
            <p class="hint">Operators: {{operators}}</p>
            {{#hasSeenAttributes}}<p class="hint" id="seen-attributes-hint">Attributes seen in {{env}}'s contexts: {{seenAttributesText}}</p>{{/hasSeenAttributes}}
            <label>Rule description (optional) <input name="description" type="text" maxlength="200" value="{{input.description}}"></label>
            {{> serveField}}
            <label>Position <select name="position"><option value="last">last</option><option value="first">first</option></select></label>
            {{> changeFields}}
            <button type="submit">Add rule</button>
          </form>{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
        </section>
        </div>

        <datalist id="seen-attributes">{{#seenAttributes}}<option value="{{.}}"></option>{{/seenAttributes}}</datalist>
        <section class="card" aria-labelledby="try-h" id="try">
          <h2 id="try-h">Try it</h2>
          <form method="get" action="{{pageURL}}#try" class="change">
            <input type="hidden" name="env" value="{{env}}">
            <input type="hidden" name="try" value="1">
            {{#tryIt}}
            <label>targetingKey <input name="try-targetingKey" type="text" value="{{targetingKey}}"></label>
            <label>customerId <input name="try-customerId" type="text" value="{{customerId}}"></label>
            <label>role <span class="hint">several: admin,beta</span> <input name="try-role" type="text" value="{{role}}"></label>
            <label>Other attributes <span class="hint">one name=value per line</span> <textarea name="try-attributes" rows="2">{{attributes}}</textarea></label>
            {{/tryIt}}
            <button type="submit">Evaluate</button>
          </form>
          {{#tryIt}}
          {{#problem}}<p class="problem" role="alert">{{.}}</p>{{/problem}}
          {{#result}}<dl class="result" id="try-result">
            <dt>Variant</dt><dd id="try-variant">{{variant}}</dd>
            <dt>Value</dt><dd><code>{{value}}</code></dd>
            <dt>Reason</dt><dd id="try-reason">{{reason}}</dd>
            <dt>Decided by</dt><dd id="try-explanation">{{explanation}}</dd>
          </dl>{{/result}}
          {{/tryIt}}
        </section>

        <section class="card danger" aria-labelledby="kill">
          <h2 id="kill">Kill switch</h2>
          <p>Turns the flag off in every environment at once: everyone gets “{{offVariant}}”.</p>
          {{#canKill}}<form method="post" action="{{killURL}}" class="change kill" data-confirm-env="{{key}}">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="env" value="{{env}}">
            <label>Message (optional, kept in the history) <input name="message" type="text" maxlength="500"></label>
            <label class="confirm-field"><span>Type the flag's key, <strong>{{key}}</strong>, to confirm</span> <input name="confirm" type="text" autocomplete="off" required></label>
            <button type="submit" class="danger">Kill switch: off everywhere</button>
          </form>{{/canKill}}{{^canKill}}<p class="why">{{whyKill}}</p>{{/canKill}}
        </section>
        <section class="card" aria-labelledby="block-h" id="block">
          <h2 id="block-h">Block</h2>
          <p>Stops every change that widens exposure (turning on, targeting more, a bigger rollout) until it is lifted; turning off and kill still apply. Anyone signed in may block; the blocker or an owner unblocks.</p>
          {{#canBlock}}<form method="post" action="/ui/blocks" class="change" id="block-form">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}"><input type="hidden" name="flag" value="{{key}}"><input type="hidden" name="from" value="flag">
            <fieldset><legend>What to block in {{env}}</legend>
              <label class="choice"><input type="radio" name="scope" value="flag" checked> {{key}} only</label>
              <label class="choice"><input type="radio" name="scope" value="environment"> Every flag (a change freeze of {{env}})</label>
            </fieldset>
            {{#problems.block}}<p class="problem" role="alert" id="block-problem">{{.}}</p>{{/problems.block}}
            <label>Reason <input name="reason" type="text" maxlength="500" required value="{{input.reason}}"></label>
            {{#problems.reason}}<p class="problem" role="alert" id="reason-problem">{{.}}</p>{{/problems.reason}}
            <label>Until (optional, UTC) <input name="until" type="datetime-local" value="{{input.until}}"></label>
            {{#problems.until}}<p class="problem" role="alert" id="until-problem">{{.}}</p>{{/problems.until}}
            <button type="submit">Block</button>
          </form>{{/canBlock}}{{^canBlock}}<p class="why">{{whyBlock}}</p>{{/canBlock}}
        </section>
        <section class="card" aria-labelledby="manage-h" id="manage">
          <h2 id="manage-h">The flag</h2>
          {{#canManage}}<p><a class="button" href="{{detailsURL}}">Edit variants, description, tags, kind…</a></p>
          <form method="post" action="{{archiveURL}}" class="change">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
            <input type="hidden" name="to" value="{{#archived}}unarchive{{/archived}}{{^archived}}archive{{/archived}}">
            {{#problems.archive}}<p class="problem" role="alert" id="archive-problem">{{.}}</p>{{/problems.archive}}
            <button type="submit">{{#archived}}Bring back from the archive{{/archived}}{{^archived}}Archive{{/archived}}</button>
          </form>
          <form method="post" action="{{deleteURL}}" class="change" data-confirm-env="{{key}}">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
            <label class="confirm-field"><span>Delete: type the flag's key, <strong>{{key}}</strong>, to confirm (refused while it is on anywhere or was evaluated lately; the history stays)</span> <input name="confirm" type="text" autocomplete="off" required></label>
            {{#problems.delete}}<p class="problem" role="alert" id="delete-problem">{{.}}</p>{{/problems.delete}}
            <button type="submit" class="danger">Delete flag</button>
          </form>{{/canManage}}{{^canManage}}<p class="why">{{whyManage}}</p>{{/canManage}}
        </section>
        <section class="card" aria-labelledby="code-refs-h" id="code-refs">
          <h2 id="code-refs-h">In the code</h2>
          {{#hasCodeRefs}}<p>Referenced in {{codeRefCount}} place(s) by the latest uploaded scans:</p>
          <ul class="plain code-refs">{{#codeRefs}}<li><span class="meta">{{place}} at {{refCommit}}</span> <code>{{file}}</code> {{#alias}}<span class="meta">as {{.}}</span>{{/alias}}<div><code>{{context}}</code></div></li>{{/codeRefs}}</ul>{{/hasCodeRefs}}
          {{^hasCodeRefs}}<p>No uploaded scan references this flag.</p>{{/hasCodeRefs}}
          {{#codeRefRemovals}}<p class="meta">{{sentence}} ({{when}})</p>{{/codeRefRemovals}}
          <p class="hint">Scans come from <code>clutch refs scan --upload --repo NAME</code> in CI.</p>
        </section>
        <section class="card" aria-labelledby="history" id="live-history" data-live>
          <h2 id="history">Recent changes</h2>
          <ul class="history">
            {{#history}}<li><span class="meta">#{{number}} · {{at}} · {{actor}}</span> {{summary}}{{#message}}<div class="message">“{{.}}”</div>{{/message}}</li>{{/history}}
          </ul>
          <p><a href="{{historyURL}}">Full history and restore</a></p>
        </section>
        </div>
        {{> foot}}
        """#

    /// The fields every card's form carries: the CSRF token, the environment and the page's
    /// pending change, with `stage`: the edit is added to that change, not applied.
    static let changeFields = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}<input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}"><input type="hidden" name="pending" value="{{pendingField}}"><input type="hidden" name="stage" value="1">
        """#

    /// The variant a targeting form serves.
    static let serveField = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}<label>Serve <select name="serve">{{#variants}}<option value="{{key}}"{{#selected}} selected{{/selected}}>{{key}}</option>{{/variants}}</select></label>
        """#

    /// Usage in the environment (ConsoleUsageChart): evaluations per variant over the last day
    /// (per hour) or week (per day) as a stacked SVG bar chart with a legend and a text
    /// alternative (its summary, and the same figures as a table), a Day/Week switch, and per
    /// variant its evaluations and when it was last evaluated.
    static let usageCard = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}
        <section class="card" aria-labelledby="usage-h" id="usage" data-window="{{usageWindow}}">
          <h2 id="usage-h">Usage in {{env}}</h2>
          <p class="windows">Show: {{#usageWindows}}<a href="{{url}}"{{#current}} aria-current="true" class="current"{{/current}}>{{label}}</a> {{/usageWindows}}</p>
          {{#usageHasData}}<figure class="usage">
            <svg class="chart" viewBox="0 0 {{usageWidth}} {{usageHeight}}" role="img" aria-labelledby="usage-title usage-desc">
              <title id="usage-title">{{usageTitle}} in {{env}}, {{usageSpan}}</title>
              <desc id="usage-desc">{{usageSummary}}</desc>
              {{#usageBars}}<rect class="{{class}}" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{title}}</title></rect>{{/usageBars}}
              {{#usageTicks}}<text x="{{x}}" y="{{usageAxisY}}">{{label}}</text>{{/usageTicks}}
            </svg>
            <ul class="legend">{{#usageLegend}}<li><span class="swatch {{class}}" aria-hidden="true"></span>{{key}}</li>{{/usageLegend}}</ul>
            <figcaption class="meta">{{usageSummary}}</figcaption>
          </figure>
          <details><summary>{{usageTitle}} as a table</summary>
            <div class="scroll"><table><thead><tr><th scope="col">{{usageUnit}}</th>{{#usageColumns}}<th scope="col">{{key}}</th>{{/usageColumns}}<th scope="col">Total</th></tr></thead>
            <tbody>{{#usageRows}}<tr><th scope="row">{{label}}</th>{{#cells}}<td>{{count}}</td>{{/cells}}<td>{{total}}</td></tr>{{/usageRows}}</tbody></table></div>
          </details>{{/usageHasData}}
          {{^usageHasData}}<p class="meta">Nothing evaluated this flag in {{env}} in {{usageSpan}}.</p>{{/usageHasData}}
          {{#usageHasVariants}}<div class="scroll"><table class="variants">
            <caption>Per variant: evaluations in {{usageSpan}}, since SDKs first reported, and when last evaluated</caption>
            <thead><tr><th scope="col">Variant</th><th scope="col">Evaluations</th><th scope="col">Share</th><th scope="col">Since first reported</th><th scope="col">Last evaluated</th></tr></thead>
            <tbody>{{#usageVariants}}<tr><th scope="row">{{#swatch}}<span class="swatch {{class}}" aria-hidden="true"></span>{{/swatch}}{{key}}</th><td>{{count}}</td><td>{{share}}</td><td>{{allTime}}</td><td>{{last}}</td></tr>{{/usageVariants}}</tbody>
          </table></div>{{/usageHasVariants}}
        </section>
        """#
}
