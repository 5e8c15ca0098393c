// `/ui/new-flag` and `/ui/flags/{key}/details`: a flag's definition as a form. Every field has
// its label; a refused form comes back with the message beside the field at fault
// (`problems.NAME`, announced as an alert) and what was typed kept (`input.NAME`).
enum FlagFormTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <p class="crumbs"><a href="{{back}}">← {{#isNew}}All flags{{/isNew}}{{^isNew}}{{key}}{{/isNew}}</a></p>
        <h1>{{#isNew}}New flag{{/isNew}}{{^isNew}}Edit {{key}}{{/isNew}}</h1>
        <form method="post" action="{{action}}" class="card change" id="flag-form">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{^isNew}}<input type="hidden" name="revision" value="{{revision}}">{{/isNew}}
          {{#isNew}}<label>Key <span class="hint">letters, digits, <code>-</code>, <code>_</code> and <code>.</code>; it cannot change later</span>
            <input name="key" type="text" value="{{input.key}}" required autocomplete="off"></label>
          {{#problems.key}}<p class="problem" role="alert" id="key-problem">{{.}}</p>{{/problems.key}}
          <label>Type <select name="type">{{#types}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/types}}</select></label>
          {{#problems.type}}<p class="problem" role="alert">{{.}}</p>{{/problems.type}}{{/isNew}}
          <label>Variants <span class="hint">one NAME=VALUE per line; leave empty for a boolean's on=true and off=false</span>
            <textarea name="variants" rows="4">{{input.variants}}</textarea></label>
          {{#problems.variants}}<p class="problem" role="alert" id="variants-problem">{{.}}</p>{{/problems.variants}}
          <label>Served when off <span class="hint">a variant's name; empty: “off”, or the last variant</span>
            <input name="offVariant" type="text" value="{{input.offVariant}}"></label>
          {{#problems.offVariant}}<p class="problem" role="alert">{{.}}</p>{{/problems.offVariant}}
          <label>Description <input name="description" type="text" value="{{input.description}}" maxlength="1000"></label>
          {{#problems.description}}<p class="problem" role="alert">{{.}}</p>{{/problems.description}}
          <label>Tags <span class="hint">separated by commas</span> <input name="tags" type="text" value="{{input.tags}}"></label>
          {{#problems.tags}}<p class="problem" role="alert">{{.}}</p>{{/problems.tags}}
          <label>Kind <span class="hint">what it is for, which says how long it should live</span>
            <select name="kind">{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/kinds}}</select></label>
          {{#problems.kind}}<p class="problem" role="alert">{{.}}</p>{{/problems.kind}}
          <label>Owner <span class="hint">an email address: who cleans it up</span> <input name="owner" type="email" value="{{input.owner}}"></label>
          {{#problems.owner}}<p class="problem" role="alert">{{.}}</p>{{/problems.owner}}
          <label>Message (optional, kept in the history) <input name="message" type="text" maxlength="500" value="{{input.message}}"></label>
          {{#problems.message}}<p class="problem" role="alert">{{.}}</p>{{/problems.message}}
          {{^isNew}}<label class="confirm-field"><span>Changing variants or the off variant changes every environment: type the flag's key, <strong>{{key}}</strong>, to confirm such a change</span>
            <input name="confirm" type="text" autocomplete="off"></label>
          {{#problems.confirm}}<p class="problem" role="alert" id="confirm-problem">{{.}}</p>{{/problems.confirm}}{{/isNew}}
          {{#problems.apply}}<p class="problem" role="alert" id="apply-problem">{{.}}</p>{{/problems.apply}}
          <button type="submit" class="primary">{{#isNew}}Create flag{{/isNew}}{{^isNew}}Save details{{/isNew}}</button>
          {{#isNew}}<p class="hint">A new flag is off in every environment.</p>{{/isNew}}
        </form>
        {{> foot}}
        """#
}
