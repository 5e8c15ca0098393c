import ClutchStore
import Foundation

/// The flag list's table rows as HTML, written directly instead of through a Mustache section:
/// with 2,000 flags, the section's per-row lookups (each a walk of the context stack with dynamic
/// casts) were most of the page's server time. Every value is escaped with ``ConsoleHTML/escape(_:)``,
/// the escaping of the templates' content type; the page template inserts the result unescaped
/// (`{{{rowsHTML}}}`).
enum ConsoleFlagRows {
    /// One row: a flag as the list shows it in one environment.
    struct Row {
        var key: String
        var url: String
        var description: String
        var tags: [String]
        /// On or off in each environment, in the table's column order.
        var states: [Bool]
        /// Its stage in the environment shown (``FlagLifecycle``), and why when it is stale.
        var stage: FlagStage
        var stageReason: String?
        var lastEvaluated: String
    }

    static func html(_ rows: [Row]) -> String {
        var html = ""
        html.reserveCapacity(rows.count * 420)
        for row in rows {
            html += "<tr>\n<th scope=\"row\">\n<a href=\"" + ConsoleHTML.escape(row.url) + "\">" + ConsoleHTML.escape(row.key) + "</a>"
            // The stage in words (the badge's text), its reason in the title.
            let title = row.stageReason.map { "Stale: " + $0 } ?? "Stage: " + row.stage.rawValue
            html += " <span class=\"badge " + row.stage.rawValue + "\" title=\"" + ConsoleHTML.escape(title) + "\">" + row.stage.rawValue + "</span>"
            if !row.description.isEmpty { html += "\n<div class=\"desc\">" + ConsoleHTML.escape(row.description) + "</div>" }
            if !row.tags.isEmpty {
                html += "\n<div class=\"tags\">"
                for tag in row.tags { html += "<span class=\"tag\">" + ConsoleHTML.escape(tag) + "</span> " }
                html += "</div>"
            }
            html += "\n</th>\n"
            // The state in words, never by colour alone.
            for on in row.states { html += on ? "<td class=\"on\">On</td>" : "<td class=\"off\">Off</td>" }
            html += "\n<td>" + ConsoleHTML.escape(row.lastEvaluated) + "</td>\n</tr>\n"
        }
        return html
    }
}
