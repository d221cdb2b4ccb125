namespace SentryRunbook.Models
{
    /// <summary>A postmortem document written from Sentry data, in Markdown or self-contained HTML.</summary>
    public sealed class Postmortem
    {
        public Postmortem(string title, string format, string content, string issueId, string? shortId, string? path = null, string? incidentId = null)
        {
            IncidentId = incidentId;
            Title = title;
            Format = format;
            Content = content;
            IssueId = issueId;
            ShortId = shortId;
            Path = path;
        }

        /// <summary><c>Incident Postmortem: {issue title}</c>, as plain text.</summary>
        public string Title { get; }
        /// <summary><c>Markdown</c> or <c>Html</c>.</summary>
        public string Format { get; }
        /// <summary>The whole document.</summary>
        public string Content { get; }
        /// <summary>The file the document was written to, when it was.</summary>
        public string? Path { get; }
        public string IssueId { get; }
        public string? ShortId { get; }
        /// <summary>The incident (Group-SentryIssue) the postmortem covers; <see cref="IssueId"/> is then its primary issue.</summary>
        public string? IncidentId { get; }

        /// <summary>A copy that records the file it was written to.</summary>
        public Postmortem WithPath(string path) => new Postmortem(Title, Format, Content, IssueId, ShortId, path, IncidentId);

        public override string ToString() => Title;
    }
}
