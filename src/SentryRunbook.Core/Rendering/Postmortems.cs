using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;
using SentryRunbook.Text;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Rendering
{
    /// <summary>
    /// Writes the runbook's postmortem template from Sentry data: summary, timeline, impact (each figure with its
    /// query), event-rate chart, root cause as 5 whys, contributing factors, action items and a data footer.
    /// Sections without data say so. Event text is escaped; the output depends only on the input.
    /// </summary>
    public static class Postmortems
    {
        public const string DefaultOwner = "@owner";
        public static readonly TimeSpan ActionItemsDueIn = TimeSpan.FromDays(7);

        public static Postmortem Markdown(PostmortemInput input)
        {
            (string title, List<Block> blocks) = Build(input);
            return new Postmortem(title, "Markdown", PostmortemMarkdown.Render(blocks), input.Triage.Issue.Id, ShortId(input.Triage.Issue), null, input.Incident?.Id);
        }

        public static Postmortem Html(PostmortemInput input)
        {
            (string title, List<Block> blocks) = Build(input);
            return new Postmortem(title, "Html", PostmortemHtml.Render(title, blocks), input.Triage.Issue.Id, ShortId(input.Triage.Issue), null, input.Incident?.Id);
        }

        private static string? ShortId(SentryIssue issue) => string.IsNullOrEmpty(issue.ShortId) ? null : issue.ShortId;

        private static (string Title, List<Block> Blocks) Build(PostmortemInput input)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (input.Triage is null) throw new ArgumentException("The postmortem needs a triage report.", nameof(input));
            if (input.Timeline is null) throw new ArgumentException("The postmortem needs a timeline.", nameof(input));

            TriageReport triage = input.Triage;
            SentryIssue issue = triage.Issue;
            string issueTitle = MessageEscaping.Clean(input.Incident?.Title ?? issue.Title) ?? "(untitled issue)";
            string title = "Incident Postmortem: " + issueTitle;
            var doc = new List<Block> { new Heading(1, new Lit("Incident Postmortem: "), new Txt(issueTitle)) };

            Summary(doc, input);
            TimelineSection(doc, input);
            Impact(doc, input);
            EventRate(doc, input);
            RootCause(doc, input);
            Contributing(doc, input);
            ActionItems(doc, input);
            DataFooter(doc, input);
            return (title, doc);
        }

        // ---- sections -------------------------------------------------------------------------------------

        private static void Summary(List<Block> doc, PostmortemInput input)
        {
            if (input.Incident != null)
            {
                IncidentSummary(doc, input, input.Incident);
                return;
            }

            TriageReport t = input.Triage;
            SentryIssue issue = t.Issue;
            string name = ShortId(issue) ?? issue.Id;
            var items = new List<ListItem>
            {
                Item(new Strong(new Lit("Severity:")), new Lit(" "), new Txt(t.Severity.Severity), new Lit(" — rule "), new Txt(t.Severity.Rule),
                    t.Severity.Reasons.Count > 0 ? (Inline)new Lit(": ") : new Lit(string.Empty), new Txt(string.Join("; ", t.Severity.Reasons))),
                Item(new Strong(new Lit("Sentry issue:")), new Lit(" "), new Link(name, issue.Permalink), new Lit(" (id "), new Code(issue.Id), new Lit(", project "), new Code(issue.Project), new Lit(", level "), new Txt(issue.Level), new Lit(", status "), new Txt(issue.Status), new Lit(")")),
                Item(new Inline[] { new Strong(new Lit("Environments:")), new Lit(" ") }.Concat(t.Environments.Count == 0
                    ? new Inline[] { new Emph(new Lit("not recorded in Sentry")) }
                    : t.Environments.SelectMany((env, i) => new Inline[] { new Lit(i == 0 ? string.Empty : ", "), new Code(env) })).ToArray()),
                Item(new Strong(new Lit("First release:")), new Lit(" "), (issue.FirstRelease ?? t.Release) is string release ? (Inline)new Code(release) : new Emph(new Lit("not recorded in Sentry"))),
                Item(new Strong(new Lit("Generated:")), new Lit(" " + Stamp(input.Now) + " from Sentry data; the sections marked TODO are for the team.")),
            };
            doc.Add(new ItemList("bullet", items));
        }

        /// <summary>An incident's summary: its one severity and the member that set it, then every member with the evidence that tied it in.</summary>
        private static void IncidentSummary(List<Block> doc, PostmortemInput input, SentryIncident incident)
        {
            var members = incident.Issues.Select(i =>
            {
                IncidentMemberReason? reason = incident.Reasons.FirstOrDefault(r => r.IssueId == i.Id);
                string evidence = reason is null || reason.Evidence.Count == 0 ? "on its own" : string.Join("; ", reason.Evidence);
                return (IReadOnlyList<Inline>)new Inline[]
                {
                    new Link(ShortId(i) ?? i.Id, i.Permalink), new Lit(" ("), new Txt(i.Project), new Lit(", "), new Txt(i.Status), new Lit("): "), new Txt(MessageEscaping.Clean(i.Title) ?? "(untitled issue)"),
                    new Lit(" — "), new Txt(evidence),
                };
            }).ToList();
            var items = new List<ListItem>
            {
                Item(new Strong(new Lit("Severity:")), new Lit(" "), new Txt(incident.Severity ?? "not classified"),
                    incident.SeverityIssue is null ? (Inline)new Lit(string.Empty) : new Lit(" — set by "), new Txt(incident.SeverityIssue),
                    incident.SeverityReason is null ? (Inline)new Lit(string.Empty) : new Lit(": "), new Txt(incident.SeverityReason)),
                Item(new Strong(new Lit("Incident:")), new Lit(" "), new Txt(incident.Id), new Lit($" — {incident.Issues.Count} Sentry issue{(incident.Issues.Count == 1 ? string.Empty : "s")} in "), new Txt(string.Join(", ", incident.Projects)),
                    incident.Pattern is null ? (Inline)new Lit(string.Empty) : new Lit(", pattern "), new Txt(incident.Pattern)),
                new ListItem(new Inline[] { new Strong(new Lit("Members:")), new Lit(" (primary issue: "), new Txt(ShortId(incident.PrimaryIssue) ?? incident.PrimaryIssue.Id), new Lit("; root cause and suspect commits below are the primary issue's)") }, members),
                Item(new Strong(new Lit("Environments:")), new Lit(" "), incident.Environments.Count == 0 ? (Inline)new Emph(new Lit("not recorded in Sentry")) : new Txt(string.Join(", ", incident.Environments))),
                Item(new Strong(new Lit("Releases:")), new Lit(" "), incident.Releases.Count == 0 ? (Inline)new Emph(new Lit("not recorded in Sentry")) : new Txt(string.Join(", ", incident.Releases))),
                Item(new Strong(new Lit("Generated:")), new Lit(" " + Stamp(input.Now) + " from Sentry data; the sections marked TODO are for the team.")),
            };
            doc.Add(new ItemList("bullet", items));
        }

        private static void TimelineSection(List<Block> doc, PostmortemInput input)
        {
            IncidentTimeline timeline = input.Timeline;
            string name = ShortId(input.Triage.Issue) ?? input.Triage.Issue.Id;
            doc.Add(new Heading(2, new Lit("Timeline")));
            if (timeline.Entries.Count == 0)
            {
                doc.Add(new Para(new Emph(new Lit("Not recorded in Sentry: the issue has no first seen, deploys or activity to build a timeline from."))));
                return;
            }

            bool multiDay = timeline.Entries.Select(e => e.Time.UtcDateTime.Date).Distinct().Count() > 1;
            if (!multiDay) doc.Add(new Para(new Lit("All times UTC on " + timeline.Entries[0].Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".")));

            // The runbook's milestones.
            var marks = new Dictionary<TimelineEntry, string>();
            var missing = new List<string>();
            TimelineEntry? alert = timeline.Entries.FirstOrDefault(e => e.Kind == "alert");
            TimelineEntry? first = timeline.Entries.FirstOrDefault(e => e.Kind == "first_seen");
            if (alert != null) marks[alert] = "Alert fired";
            if (input.Incident != null) name = input.Incident.Id;
            if (first != null) marks[first] = (alert is null ? "Alert fired — " : string.Empty) + (input.Incident is null ? "Sentry issue " + name + " created" : "incident " + name + " began");
            else missing.Add("alert fired / issue created (Sentry gave no first-seen time)");

            TimelineEntry? ack = timeline.AcknowledgedAt is null ? null : timeline.Entries.FirstOrDefault(e => e.IsHumanAction && e.Time == timeline.AcknowledgedAt.Value);
            if (ack != null) marks[ack] = "On-call acknowledged";
            else missing.Add("on-call acknowledged (no action of a person after detection: no note, acknowledgement, assignment or status change)");

            TimelineEntry? rootCause = timeline.Entries.FirstOrDefault(e => e.Kind == "note" && e.Text.IndexOf("root cause", StringComparison.OrdinalIgnoreCase) >= 0);
            if (rootCause != null) marks[rootCause] = marks.TryGetValue(rootCause, out string? m) ? m + "; root cause identified" : "Root cause identified";
            else missing.Add("root cause identified (no note mentions \"root cause\")");

            // Only a deploy where the incident happened fixes it: a deploy to staging after first seen is not the fix of production.
            IReadOnlyList<string> environments = input.Incident?.Environments ?? input.Triage.Environments;
            TimelineEntry? fix = timeline.FirstSeen is null ? null : timeline.Entries.FirstOrDefault(e =>
                (e.Kind == "deploy" || e.Kind == "deploy_recorded") && e.Time > timeline.FirstSeen.Value
                && (environments.Count == 0 || e.Environment is null || environments.Contains(e.Environment, StringComparer.OrdinalIgnoreCase)));
            if (fix != null) marks[fix] = "Fix deployed";
            else missing.Add(environments.Count == 0 ? "fix deployed (no deploy after first seen)" : "fix deployed (no deploy to " + string.Join(", ", environments) + " after first seen)");

            // The resolution that resolved it (on an incident, of its last member): Sentry's activity or the runbook's journaled change.
            TimelineEntry? resolved = timeline.ResolvedAt is null ? null
                : timeline.Entries.LastOrDefault(e => (Timelines.IsResolution(e.Kind) || e.Kind == "status_changed") && e.Time <= timeline.ResolvedAt.Value);
            if (resolved != null) marks[resolved] = "Issue resolved in Sentry";
            else missing.Add("issue resolved in Sentry (" + NotResolvedReason(timeline, input.Triage.Issue) + ")");

            var items = new List<ListItem>();
            foreach (TimelineEntry e in timeline.Entries)
            {
                var line = new List<Inline> { new Lit(Clock(e.Time, multiDay) + " — ") };
                if (marks.TryGetValue(e, out string? mark)) line.Add(new Strong(new Lit(mark + ":")));
                if (mark != null) line.Add(new Lit(" "));
                if (e.Issue != null)
                {
                    line.Add(new Code(e.Issue));
                    line.Add(new Lit(" "));
                }

                line.Add(new Lit(e.Source == "Note" ? "Note by " : string.Empty));
                if (e.Source == "Note")
                {
                    line.Add(new Txt(e.User ?? "someone"));
                    line.Add(new Lit(": “"));
                    line.Add(new Txt(e.Text));
                    line.Add(new Lit("”"));
                }
                else
                {
                    line.Add(new Txt(e.Text));
                    if (e.User != null)
                    {
                        line.Add(new Lit(" (by "));
                        line.Add(new Txt(e.User));
                        line.Add(new Lit(")"));
                    }
                }

                items.Add(new ListItem(line));
            }

            doc.Add(new ItemList("bullet", items));
            foreach (string gap in missing) doc.Add(new Para(new Emph(new Lit("Not recorded in Sentry: " + gap + "."))));
            bool alerted = alert != null;
            doc.Add(new Para(
                new Strong(new Lit("Time to detect:")), new Lit(" " + Span(timeline.TimeToDetect) + (alerted || timeline.TimeToDetect is null ? string.Empty : " (no alert recorded: first seen counts as detection)") + " · "),
                new Strong(new Lit("Time to acknowledge:")), new Lit(" " + Span(timeline.TimeToAcknowledge) + " · "),
                new Strong(new Lit("Time to resolve:")), new Lit(" " + Span(timeline.TimeToResolve))));
        }

        private static string NotResolvedReason(IncidentTimeline timeline, SentryIssue issue)
        {
            TimelineEntry? last = timeline.Entries.LastOrDefault(e => e.Kind.StartsWith("set_", StringComparison.Ordinal));
            if (last?.Kind == "set_regression") return "it regressed after it was resolved";
            if (last?.Kind == "set_unresolved") return "it was reopened after it was resolved";
            if (last?.Kind == "set_ignored" || issue.Status == "ignored") return "the issue is archived, not resolved";
            return "the issue is " + (MessageEscaping.Clean(issue.Status) ?? "unresolved");
        }

        private static void Impact(List<Block> doc, PostmortemInput input)
        {
            TriageReport t = input.Triage;
            // An incident's events and users are counted across its members by one query, never summed per issue.
            IncidentImpact? impact = input.Incident?.Impact ?? t.Impact;
            IncidentTimeline timeline = input.Timeline;
            doc.Add(new Heading(2, new Lit("Impact (from Sentry Discover)")));
            if (input.Incident != null) doc.Add(new Para(new Lit($"Across all {input.Incident.Issues.Count} member issues, counted by one Discover query over them: a user hit by two issues counts once.")));

            var items = new List<ListItem>();
            DateTimeOffset? start = timeline.FirstSeen ?? t.Issue.FirstSeen;
            DateTimeOffset? end = timeline.ResolvedAt ?? t.Issue.LastSeen;
            if (start is DateTimeOffset s && end is DateTimeOffset e2)
            {
                string to = timeline.ResolvedAt != null ? "resolved " + Stamp(e2) : "last seen " + Stamp(e2) + "; ongoing: not resolved";
                items.Add(Item(new Strong(new Lit("Duration:")), new Lit(" " + Span(e2 - s) + " (first seen " + Stamp(s) + " → " + to + ")"),
                    new Lit(" — source: the issue's first seen and " + (timeline.ResolvedAt != null ? "the resolution in its activity" : "last seen"))));
            }
            else
            {
                items.Add(Item(new Strong(new Lit("Duration:")), new Lit(" "), new Emph(new Lit("not available: Sentry gave no first-seen time"))));
            }

            if (impact is null)
            {
                items.Add(Item(new Strong(new Lit("Discover figures:")), new Lit(" "), new Emph(new Lit("not available: the impact could not be measured (no impact in the triage report)"))));
                doc.Add(new ItemList("bullet", items));
                return;
            }

            string window = "window " + Stamp(impact.Start) + " → " + Stamp(impact.End) + (impact.WidenedFrom is null ? string.Empty : " (widened from " + impact.WidenedFrom + ")");
            items.Add(Figure(impact, "Total events", "Events", impact.Events?.ToString("N0", CultureInfo.InvariantCulture)));
            items.Add(Figure(impact, "Unique users affected", "UniqueUsers", impact.UniqueUsers?.ToString("N0", CultureInfo.InvariantCulture)));
            items.Add(Figure(impact, "p95 latency during the incident", "P95DurationMs", impact.P95DurationMs is double p95 ? p95.ToString("N0", CultureInfo.InvariantCulture) + " ms" : null));
            string? crashFree = null;
            if (impact.CrashFreeSessionRate is double rate)
            {
                crashFree = Percent(rate) + " of sessions crash-free";
                if (t.RollbackTarget?.CrashFreeSessionRate is double healthy && healthy > rate)
                {
                    crashFree += $" (a drop of {(healthy - rate).ToString("0.0", CultureInfo.InvariantCulture)} points from {Percent(healthy)} in {MessageEscaping.Clean(t.RollbackTarget.Release)})";
                }
                else if (rate < 95)
                {
                    crashFree += " (below the runbook's 95% threshold)";
                }
            }

            items.Add(Figure(impact, "Crash-free sessions", "CrashFreeSessionRate", crashFree));
            items.Add(Figure(impact, "Peak events/min", "PeakEventsPerMinute", impact.PeakEventsPerMinute?.ToString("0.##", CultureInfo.InvariantCulture)));
            items.Add(Figure(impact, "Peak users/hour", "PeakUsersPerHour", impact.PeakUsersPerHour?.ToString("N0", CultureInfo.InvariantCulture)));
            doc.Add(new ItemList("bullet", items));
            doc.Add(new Para(new Lit("Measured over the " + window + ".")));
        }

        private static ListItem Figure(IncidentImpact impact, string label, string key, string? value)
        {
            var line = new List<Inline> { new Strong(new Lit(label + ":")), new Lit(" ") };
            if (value is null)
            {
                string reason = impact.MissingSignals.FirstOrDefault(m => FigureKeys(m.Split(':')[0]).Contains(key)) is string signal
                    ? signal.Substring(signal.IndexOf(':') + 1).Trim()
                    : "Sentry gave no value and no reason";
                line.Add(new Emph(new Lit("not available: "), new Txt(reason)));
            }
            else
            {
                line.Add(new Txt(value));
            }

            ImpactQuery? query = impact.Queries.FirstOrDefault(q => FigureKeys(q.Figure).Contains(key));
            if (query != null)
            {
                line.Add(new Lit(" — source: "));
                line.Add(new Code(QueryText(query, key)));
            }
            else if (value != null)
            {
                line.Add(new Lit(" — source: "));
                line.Add(new Emph(new Lit("no query was recorded")));
            }

            return new ListItem(line);
        }

        private static IEnumerable<string> FigureKeys(string figure) =>
            figure.Split(new[] { " and ", "," }, StringSplitOptions.RemoveEmptyEntries).Select(k => k.Trim());

        /// <summary>The query behind a figure, compactly: <c>count() — GET events/?dataset=errors&amp;query=issue.id:1&amp;statsPeriod=24h</c>.</summary>
        internal static string QueryText(ImpactQuery query, string key)
        {
            var measures = query.Parameters.Where(p => p.Key == "field" || p.Key == "yAxis").Select(p => p.Value).ToList();
            string? measure = key switch
            {
                "Events" => measures.FirstOrDefault(m => m.StartsWith("count(", StringComparison.Ordinal)),
                "UniqueUsers" => measures.FirstOrDefault(m => m.StartsWith("count_unique(", StringComparison.Ordinal)),
                "P95DurationMs" => measures.FirstOrDefault(m => m.StartsWith("p95(", StringComparison.Ordinal)),
                _ => null,
            };
            measure ??= measures.Count > 0 ? string.Join(", ", measures) : null;
            var rest = query.Parameters.Where(p => p.Key != "field" && p.Key != "yAxis" && p.Key != "project" && !(p.Key == "query" && p.Value.Length == 0)).Select(p => p.Key + "=" + p.Value).ToList();
            string request = "GET " + query.Endpoint + (rest.Count == 0 ? string.Empty : "?" + string.Join("&", rest));
            return (measure is null ? string.Empty : measure + " — ") + request + " → " + query.Result;
        }

        private static void EventRate(List<Block> doc, PostmortemInput input)
        {
            doc.Add(new Heading(2, new Lit("Event rate")));
            IReadOnlyList<SentryTimePoint> points = (input.EventRate ?? Array.Empty<SentryTimePoint>()).OrderBy(p => p.Time.UtcTicks).ToList();
            if (points.Count == 0)
            {
                doc.Add(new Para(new Emph(new Lit("No event-rate data: no events-stats series was fetched for the incident window, so there is no chart."))));
                return;
            }

            bool multiDay = points.Select(p => p.Time.UtcDateTime.Date).Distinct().Count() > 1;
            string format = multiDay ? "MM-dd HH:mm" : "HH:mm";
            var labels = points.Select(p => p.Time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)).ToList();
            var values = points.Select(p => p.Value ?? 0).ToList();
            TimeSpan bucket = points.Count > 1 ? points[1].Time - points[0].Time : TimeSpan.FromHours(1);
            string per = "Events per " + Span(bucket);
            string day = multiDay ? string.Empty : ", " + points[0].Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            int peak = values.IndexOf(values.Max());
            string description = $"{per} from {Stamp(points[0].Time)} to {Stamp(points[points.Count - 1].Time)}; {values.Sum().ToString("N0", CultureInfo.InvariantCulture)} events in all, peak {values[peak].ToString("N0", CultureInfo.InvariantCulture)} at {labels[peak]} UTC.";
            doc.Add(new Chart(per + " (UTC" + day + ")", description, labels, values, "Events"));
        }

        private static void RootCause(List<Block> doc, PostmortemInput input)
        {
            TriageReport t = input.Triage;
            doc.Add(new Heading(2, new Lit("Root Cause (5 Whys)")));
            var items = new List<ListItem>();

            // 1. From the stack trace.
            SentryEvent? ev = t.LatestEvent;
            SentryExceptionInfo? raised = ev?.Exceptions.LastOrDefault();
            SentryFrame? frame = t.FailingFrame ?? ev?.FailingFrame;
            var why1 = new List<Inline> { new Strong(new Lit("Why did the error occur?")), new Lit(" ") };
            if (raised is null)
            {
                why1.Add(new Emph(new Lit(ev is null
                    ? "Not answerable from Sentry: the latest event could not be fetched, so there is no stack trace."
                    : "Not answerable from Sentry: the latest event carries no exception or stack trace.")));
            }
            else
            {
                why1.Add(new Lit("The application raised "));
                why1.Add(new Code(raised.ToString()));
                if (frame != null)
                {
                    why1.Add(new Lit(" in "));
                    why1.Add(new Code(frame.Function ?? "?"));
                    why1.Add(new Lit(" at "));
                    why1.Add(new Code((frame.FileName ?? frame.AbsolutePath ?? frame.Module ?? "?") + (frame.LineNo is int line ? ":" + line.ToString(CultureInfo.InvariantCulture) : string.Empty)));
                    if (frame.ContextLine != null)
                    {
                        why1.Add(new Lit(", on the line "));
                        why1.Add(new Code(frame.ContextLine.Trim()));
                    }

                    why1.Add(new Lit(" (stack trace of event "));
                }
                else
                {
                    why1.Add(new Lit("; "));
                    why1.Add(new Emph(new Lit("the stack trace has no in-app frame, so the failing line is unknown")));
                    why1.Add(new Lit(" (event "));
                }

                why1.Add(new Code(ev!.EventId));
                why1.Add(new Lit(")."));
            }

            items.Add(new ListItem(why1));

            // 2. From the breadcrumbs and the strongest pattern.
            IReadOnlyList<SentryBreadcrumb> crumbs = t.Breadcrumbs.Count > 0 ? t.Breadcrumbs : ev?.Breadcrumbs ?? Array.Empty<SentryBreadcrumb>();
            var why2 = new List<Inline> { new Strong(new Lit("Why was that code path triggered?")), new Lit(" ") };
            var children = new List<IReadOnlyList<Inline>>();
            SentryBreadcrumb? failing = crumbs.LastOrDefault(IsFailure);
            if (crumbs.Count == 0)
            {
                why2.Add(new Emph(new Lit("Not answerable from the breadcrumbs: the event carries none.")));
            }
            else
            {
                why2.Add(new Lit(failing != null ? "The breadcrumbs before the error show a failure: " : "The last breadcrumbs before the error: "));
                if (failing != null)
                {
                    why2.Add(new Code(Crumb(failing)));
                    why2.Add(new Lit(". The last breadcrumbs:"));
                }

                foreach (SentryBreadcrumb crumb in crumbs.Skip(Math.Max(0, crumbs.Count - 5)))
                {
                    children.Add(new Inline[]
                    {
                        new Lit((crumb.Timestamp is DateTimeOffset at ? at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " : string.Empty)),
                        new Code(Crumb(crumb)),
                        new Lit(IsFailure(crumb) ? " (failed)" : string.Empty),
                    });
                }
            }

            IncidentPattern? strongest = t.Patterns.FirstOrDefault();
            if (strongest != null)
            {
                children.Add(new Inline[]
                {
                    new Lit("Strongest pattern: "), new Strong(new Txt(strongest.Pattern)), new Lit(" (confidence " + strongest.Confidence.ToString("0.00", CultureInfo.InvariantCulture) + "): "),
                    new Txt(strongest.Evidence.Count == 0 ? "no evidence recorded" : string.Join("; ", strongest.Evidence)),
                });
            }
            else
            {
                children.Add(new Inline[] { new Emph(new Lit("No root-cause pattern matched the data.")) });
            }

            items.Add(new ListItem(why2, children));

            string type = raised?.Type ?? MessageEscaping.Clean(t.Issue.Title) ?? "this error";
            items.Add(new ListItem(new Inline[] { new Strong(new Lit("Why was it not caught in testing?")), new Lit(" "), new Strong(new Lit("TODO (team):")), new Lit(" gap analysis — which test would have raised "), new Code(type), new Lit(" before release?") }));
            string took = input.Timeline.TimeToDetect is TimeSpan ttd ? Span(ttd) : "as long as it did";
            bool alerted = input.Timeline.Entries.Any(e => e.Kind == "alert");
            items.Add(new ListItem(alerted
                ? new Inline[]
                {
                    new Strong(new Lit("Why did the alert take " + took + "?")), new Lit(" "), new Strong(new Lit("TODO (team):")),
                    new Lit(input.Timeline.TimeToDetect is null ? " alert rule review (Sentry recorded no detection time)." : " alert rule review — first seen " + Stamp(input.Timeline.FirstSeen!.Value) + ", detected " + Stamp(input.Timeline.DetectedAt!.Value) + "."),
                }
                : new Inline[]
                {
                    new Strong(new Lit("Why did no alert fire?")), new Lit(" "), new Strong(new Lit("TODO (team):")),
                    new Lit(" alert rule review — Sentry recorded no alert on the issue" + (input.Timeline.FirstSeen is DateTimeOffset fs ? "; first seen " + Stamp(fs) : string.Empty) + "."),
                }));
            items.Add(new ListItem(new Inline[] { new Strong(new Lit("Why is this class of error possible?")), new Lit(" "), new Strong(new Lit("TODO (team):")), new Lit(" systemic cause.") }));
            doc.Add(new ItemList("number", items));
        }

        private static void Contributing(List<Block> doc, PostmortemInput input)
        {
            TriageReport t = input.Triage;
            doc.Add(new Heading(2, new Lit("Contributing factors")));
            doc.Add(new Heading(3, new Lit("Suspect commits")));
            if (t.SuspectCommits.Count == 0)
            {
                doc.Add(new Para(new Emph(new Lit("None: Sentry suspects no commit for this issue (no repository integration or release commits matched its frames)."))));
            }
            else
            {
                doc.Add(new ItemList("bullet", t.SuspectCommits.Select(c => Item(
                    new Code(c.ToString()), new Lit(" “"), new Txt(FirstLine(c.Message) ?? "(no message)"), new Lit("” — "), new Txt(c.Author ?? c.AuthorEmail ?? "unknown author"),
                    new Lit(c.Repository is null ? string.Empty : " in "), c.Repository is null ? new Lit(string.Empty) : new Code(c.Repository), new Lit(c.SuspectType is null ? string.Empty : " ("), new Txt(c.SuspectType), new Lit(c.SuspectType is null ? string.Empty : ")"))).ToList()));
            }

            doc.Add(new Heading(3, new Lit("Patterns")));
            var items = t.Patterns.Select(p => Item(new Strong(new Txt(p.Pattern)), new Lit(" (confidence " + p.Confidence.ToString("0.00", CultureInfo.InvariantCulture) + "): "), new Txt(p.Evidence.Count == 0 ? "no evidence recorded" : string.Join("; ", p.Evidence)))).ToList();
            if (t.RollbackTarget is SentryRollbackTarget rb)
            {
                items.Add(Item(new Strong(new Lit("Rollback target:")), new Lit(" "), new Code(rb.CurrentRelease), new Lit(" → "), new Code(rb.Release), new Lit(" in "), new Txt(rb.Environment),
                    new Lit(rb.CrashFreeSessionRate is double cf ? " (" + Percent(cf) + " crash-free sessions)" : string.Empty)));
            }

            if (t.TagPatterns.Count > 0) items.Add(Item(new Strong(new Lit("Tags concentrated on one value:")), new Lit(" "), new Txt(string.Join("; ", t.TagPatterns))));
            if (items.Count == 0) doc.Add(new Para(new Emph(new Lit("None: no root-cause pattern matched the data and no tag is concentrated on one value."))));
            else doc.Add(new ItemList("bullet", items));
        }

        private static void ActionItems(List<Block> doc, PostmortemInput input)
        {
            TriageReport t = input.Triage;
            doc.Add(new Heading(2, new Lit("Action Items")));
            string owner = MessageEscaping.Clean(input.Owner) ?? DefaultOwner;
            string due = (input.Now + ActionItemsDueIn).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            SentryExceptionInfo? raised = t.LatestEvent?.Exceptions.LastOrDefault();
            SentryFrame? frame = t.FailingFrame ?? t.LatestEvent?.FailingFrame;
            IReadOnlyList<SentryBreadcrumb> crumbs = t.Breadcrumbs.Count > 0 ? t.Breadcrumbs : t.LatestEvent?.Breadcrumbs ?? Array.Empty<SentryBreadcrumb>();
            SentryBreadcrumb? failing = crumbs.LastOrDefault(IsFailure);
            string type = raised?.Type ?? MessageEscaping.Clean(t.Issue.Title) ?? "this error";

            var items = new List<IReadOnlyList<Inline>>();
            IncidentPattern? strongest = t.Patterns.FirstOrDefault();
            items.Add(strongest is null
                ? new Inline[] { new Strong(new Lit("TODO (team):")), new Lit(" choose a preventive measure for "), new Code(type), new Lit(" (no root-cause pattern matched)") }
                : Preventive(strongest.Pattern, t, failing, type));
            items.Add(new Inline[] { new Lit("Update Sentry alert rules to catch "), strongest is null ? new Code(type) : (Inline)new Txt(Words(strongest.Pattern) + " (" + type + ")"), new Lit(" earlier") });
            items.Add(failing != null
                ? new Inline[] { new Lit("Add a regression test covering "), new Code(Crumb(failing)) }
                : frame != null
                    ? new Inline[] { new Lit("Add a regression test covering "), new Code(type), new Lit(" in "), new Code(frame.ToString()) }
                    : new Inline[] { new Lit("Add a regression test covering "), new Code(type), new Lit(" — "), new Emph(new Lit("no breadcrumb or frame names the scenario")) });
            string? component = frame?.FileName ?? frame?.Module ?? frame?.AbsolutePath ?? t.Issue.Culprit;
            items.Add(component is null
                ? new Inline[] { new Lit("Review and tighten ownership rules for the failing component — "), new Emph(new Lit("no frame or culprit names it")) }
                : new Inline[] { new Lit("Review and tighten ownership rules for "), new Code(component) });

            doc.Add(new ItemList("check", items.Select(i => new ListItem(i.Concat(new Inline[] { new Lit(" — Owner: "), new Txt(owner), new Lit(" — Due: " + due) }).ToList())).ToList()));
        }

        private static Inline[] Preventive(string pattern, TriageReport t, SentryBreadcrumb? failing, string type)
        {
            switch (pattern)
            {
                case PatternNames.DeploymentRegression:
                    return (t.Release ?? t.RollbackTarget?.CurrentRelease) is string gated
                        ? new Inline[] { new Lit("Add a canary or staged rollout and a release health gate for "), new Code(gated) }
                        : new Inline[] { new Lit("Add a canary or staged rollout and a release health gate for each release") };
                case PatternNames.ThirdPartyFailure:
                    string? host = failing != null && failing.Data.TryGetValue("url", out string? url) && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri.Host : null;
                    return new Inline[] { new Lit("Add a circuit breaker and a fallback for "), host is null ? new Lit("the failing upstream service") : (Inline)new Code(host) };
                case PatternNames.DataCorruption:
                    SentryRequestInfo? request = t.LatestEvent?.Request;
                    return request?.Url != null
                        ? new Inline[] { new Lit("Validate the input of "), new Code(((request.Method ?? string.Empty) + " " + request.Url).Trim()), new Lit(" at the boundary") }
                        : new Inline[] { new Lit("Validate the input that raised "), new Code(type), new Lit(" at the boundary") };
                case PatternNames.ResourceExhaustion:
                    return new Inline[] { new Lit("Load-test and right-size the resource exhausted in "), new Code(type) };
                case PatternNames.SdkMisconfiguration:
                    return new Inline[] { new Lit("Fix Sentry.init: release, environment, source maps") };
                default:
                    return new Inline[] { new Strong(new Lit("TODO (team):")), new Lit(" a preventive measure for "), new Txt(pattern) };
            }
        }

        private static void DataFooter(List<Block> doc, PostmortemInput input)
        {
            doc.Add(new Heading(2, new Lit("Data")));
            var items = new List<ListItem>
            {
                Item(new Strong(new Lit("Sentry host:")), new Lit(" "), input.SentryHost is null ? new Emph(new Lit("not recorded")) : (Inline)new Code(input.SentryHost)),
                Item(new Strong(new Lit("Organization:")), new Lit(" "), input.Organization is null ? new Emph(new Lit("not recorded")) : (Inline)new Code(input.Organization)),
                Item(new Strong(new Lit("Fetched at:")), new Lit(" "), input.FetchedAt is DateTimeOffset at ? new Lit(Stamp(at, true)) : (Inline)new Emph(new Lit("not recorded"))),
                Item(new Lit("All figures come from the Sentry queries listed with them above; the timeline comes from the issue and its activity and deploys. Nothing was estimated.")),
            };

            // A read that failed is named with its error id: a shorter timeline or an empty section is then not taken for "nothing happened".
            foreach (string signal in input.MissingSignals ?? input.Triage.MissingSignals)
            {
                items.Add(Item(new Strong(new Lit("Could not be read from Sentry:")), new Lit(" "), new Txt(signal)));
            }

            doc.Add(new ItemList("bullet", items));
        }

        // ---- helpers --------------------------------------------------------------------------------------

        private static ListItem Item(params Inline[] content) => new ListItem(content);

        private static bool IsFailure(SentryBreadcrumb b) =>
            (b.Data.TryGetValue("status_code", out string? code) && int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out int status) && status >= 400)
            || b.Level == "error" || b.Level == "fatal"
            || (b.Message?.IndexOf("parse", StringComparison.OrdinalIgnoreCase) >= 0);

        private static string Crumb(SentryBreadcrumb b)
        {
            string category = b.Category ?? b.Type ?? "default";
            if (b.Data.TryGetValue("url", out string? url))
            {
                string method = b.Data.TryGetValue("method", out string? m) ? m + " " : string.Empty;
                string status = b.Data.TryGetValue("status_code", out string? s) ? " → " + s : string.Empty;
                return "[" + category + "] " + method + url + status + (b.Message is null ? string.Empty : " " + b.Message);
            }

            return "[" + category + "] " + (b.Message ?? string.Join(" ", b.Data.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key + "=" + d.Value)));
        }

        private static string? FirstLine(string? text)
        {
            if (text is null) return null;
            int end = text.IndexOfAny(new[] { '\r', '\n' });
            return end < 0 ? text : text.Substring(0, end);
        }

        private static string Words(string pattern)
        {
            var sb = new System.Text.StringBuilder();
            foreach (char c in pattern)
            {
                if (char.IsUpper(c) && sb.Length > 0) sb.Append(' ');
                sb.Append(char.ToLowerInvariant(c));
            }

            return sb.ToString();
        }

        private static string Stamp(DateTimeOffset time, bool seconds = false) =>
            time.UtcDateTime.ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

        private static string Clock(DateTimeOffset time, bool withDate) =>
            time.UtcDateTime.ToString(withDate ? "yyyy-MM-dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture) + " UTC";

        private static string Span(TimeSpan? span) => Formats.Duration(span, "not recorded in Sentry");

        /// <summary>
        /// A postmortem rebuilt from evidence whose content no longer matches its SHA-256 says so before anything else.
        /// The hash is unkeyed: it catches accidental edits, not someone who recomputes it.
        /// </summary>
        public static Postmortem MarkUnverified(Postmortem postmortem, string sha256)
        {
            string note = $"Unverified evidence: the bundle this postmortem was rebuilt from was changed after it was saved (its content does not match SHA-256 {sha256}).";
            string content;
            if (postmortem.Format == "Html")
            {
                int body = postmortem.Content.IndexOf("<body", StringComparison.Ordinal);
                int after = body < 0 ? -1 : postmortem.Content.IndexOf('>', body);
                string banner = "<p class=\"unverified\"><strong>" + MessageEscaping.Html(note) + "</strong></p>";
                content = after < 0 ? banner + postmortem.Content : postmortem.Content.Insert(after + 1, banner);
            }
            else
            {
                content = "> **" + MessageEscaping.Markdown(note) + "**\n\n" + postmortem.Content;
            }

            return new Postmortem(postmortem.Title, postmortem.Format, content, postmortem.IssueId, postmortem.ShortId, postmortem.Path, postmortem.IncidentId);
        }
    }
}
