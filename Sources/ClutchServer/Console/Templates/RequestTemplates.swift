// `/ui/requests` (and `/ui/requests/{id}`): change requests with the diff each one's reviewers
// approve in plain language, and the buttons the policy lets the session use. `requestCard` is
// one request, on this page and as a banner on the flag page of its flag and environment. Its
// forms say where they came from (`from`) so that the answer goes back there; a refused action
// comes back beside its request (`requestProblem`) with the comment kept.
enum RequestTemplates {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        {{#single}}<p class="crumbs"><a href="/ui/requests">← All change requests</a></p>{{/single}}
        {{^single}}<h1>Change requests</h1>
        <p class="hint">A change that widens exposure in a protected environment waits here for its reviewers; the Block button on a flag page stops changes instead.</p>
        <form method="get" action="/ui/requests" class="filters" id="request-filters">
          <label>Status
            <select name="status">{{#filters}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/filters}}</select>
          </label>
          <button type="submit">Show</button>
        </form>
        <p class="count" role="status">{{#hasRequests}}{{requestCount}} change request(s), {{filter}}{{/hasRequests}}{{^hasRequests}}No change requests are {{filter}}.{{/hasRequests}}</p>
        {{/single}}
        {{#requests}}{{> requestCard}}{{/requests}}
        {{> foot}}
        """#

    static let card = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}<article class="card request {{requestStatus}}" aria-labelledby="request-{{id}}-h" id="request-{{id}}">
          <h2 id="request-{{id}}-h"><a href="{{requestURL}}">Change request {{id}}</a>: <a href="{{requestFlagURL}}">{{requestFlag}}</a> in {{requestEnv}} <span class="badge request-status">{{requestStatus}}</span></h2>
          <p class="meta">Opened by {{author}} {{opened}} · <span class="approvals">{{approvals}} of {{required}} approvals</span>{{#requestAt}} · applies at <time datetime="{{.}}">{{.}}</time> once approved{{/requestAt}}{{#appliedRevision}} · applied as revision {{.}}{{/appliedRevision}}</p>
          <ul class="plain-diff request-diff">{{#sentences}}<li>{{.}}</li>{{/sentences}}</ul>
          {{#requestMessage}}<div class="message">“{{.}}”</div>{{/requestMessage}}
          {{#requestReason}}<p class="problem">{{.}}</p>{{/requestReason}}
          {{#hasReviews}}<ul class="plain reviews">{{#reviews}}<li>{{verdict}} by {{reviewer}} {{reviewedAt}}{{#reviewComment}}: “{{.}}”{{/reviewComment}}{{#withdrawn}} (withdrawn: the request was edited){{/withdrawn}}</li>{{/reviews}}</ul>{{/hasReviews}}
          {{#requestProblem}}<p class="problem" role="alert" id="request-{{id}}-problem">{{.}}</p>{{/requestProblem}}
          {{#mayReview}}<form method="post" action="{{reviewURL}}" class="change review">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="{{from}}">
            <label>Comment on request {{id}} <span class="hint">(needed for a comment; optional with a verdict)</span> <input name="comment" type="text" maxlength="500" value="{{commentInput}}"></label>
            <div class="buttons">
              {{#mayApprove}}<button type="submit" name="verdict" value="approve" class="primary">Approve request {{id}}</button>{{/mayApprove}}
              {{#mayDecline}}<button type="submit" name="verdict" value="decline">Decline request {{id}}</button>{{/mayDecline}}
              <button type="submit" name="verdict" value="comment">Comment on request {{id}}</button>
            </div>
          </form>{{/mayReview}}
          {{#whyReview}}<p class="why">{{.}}</p>{{/whyReview}}
          {{#mayApply}}<form method="post" action="{{applyURL}}" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="{{from}}">
            <button type="submit" class="primary">Apply request {{id}} in {{requestEnv}}</button>
          </form>{{/mayApply}}
          {{#mayCancel}}<form method="post" action="{{cancelURL}}" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="{{from}}">
            <button type="submit">Cancel request {{id}}</button>
          </form>{{/mayCancel}}
        </article>
        """#
}
