using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>A problem in a scenario file, named by its JSON path (`$.issues[2].count`).</summary>
public sealed class ScenarioFileException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string JsonPath { get; } = path;
}

/// <summary>
/// A user-written scenario (`--scenario path/to/file.json`): projects, releases with deploys, issues
/// as event generators, hourly sessions and transactions, all relative to start-up. The format is
/// described in Scenarios/README.md; a sample lives in Scenarios/samples/. Parsed and validated at
/// start-up (every problem names its JSON path); events go through the store's normal ingest.
/// </summary>
public sealed partial class ScenarioFile
{
    public int Seed { get; private init; } = 1;
    public List<ProjectSpec> Projects { get; } = [];
    public List<ReleaseSpec> Releases { get; } = [];
    public List<IssueSpec> Issues { get; } = [];
    public List<SessionSpec> Sessions { get; } = [];
    public List<TransactionSpec> Transactions { get; } = [];
    /// <summary>Live incidents started once the sandbox listens: issues receiving events in real time (see README, Live incidents).</summary>
    public List<LiveShape> Live { get; } = [];

    public sealed record ProjectSpec(string Slug, string? Platform, string Name);
    public sealed record DeploySpec(string Environment, double MinutesAgo);
    public sealed record ReleaseSpec(string Version, string Project, double CreatedMinutesAgo, List<DeploySpec> Deploys);
    public sealed record FrameSpec(string File, string Function, string? Module, int? Line);
    public sealed record CrumbSpec(string? Type, string? Category, string? Level, string? Message, string? DataJson, double SecondsBefore);

    public sealed record IssueSpec(
        string Project, string? ExceptionType, string? ExceptionValue, string? Message, FrameSpec? Frame, string Level, bool Handled,
        string? Environment, string? Release, string? Transaction, int Count, int Users, double StartMinutesAgo, double EndMinutesAgo,
        List<CrumbSpec> Breadcrumbs, List<KeyValuePair<string, string>> Tags, List<string>? Fingerprint, string Status, string? Trace = null);

    public sealed record SessionSpec(string Project, string? Release, string? Environment, int Hours, int[] PerHour, int[] CrashedPerHour, int[] ErroredPerHour, int[] UsersPerHour);

    public sealed record TransactionSpec(string Project, string Name, string Op, string? Release, string? Environment, int Hours, int[] PerHour, double P50, double P95, double FailureRate);

    /// <summary>True when `--scenario` names a file rather than a built-in scenario.</summary>
    public static bool IsFile(string scenario) => !ScenarioNames.All.Contains(scenario);

    // ---- parsing --------------------------------------------------------------------------------------

    /// <summary>A scenario shipped inside the sandbox (`--scenario releases`), in the same format as a file.</summary>
    public static ScenarioFile BuiltIn(string name)
    {
        using var stream = typeof(ScenarioFile).Assembly.GetManifestResourceStream($"SentryRunbook.Sandbox.Scenarios.{name}.json")
            ?? throw new ScenarioFileException("$", $"no built-in scenario '{name}'");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    public static ScenarioFile Load(string path)
    {
        if (!File.Exists(path)) throw new ScenarioFileException("$", $"scenario file '{path}' not found");
        return Parse(File.ReadAllText(path));
    }

    public static ScenarioFile Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ScenarioFileException(ex.Path ?? "$", $"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})");
        }
        using (doc)
        {
            var root = new Node(doc.RootElement, "$");
            root.Only("seed", "projects", "releases", "issues", "sessions", "transactions", "live", "description");
            var file = new ScenarioFile { Seed = root.Int("seed", 1, int.MinValue, int.MaxValue) };
            var projects = root.Array("projects", required: true);
            if (projects.Count == 0) throw new ScenarioFileException("$.projects", "needs at least one project");
            foreach (var p in projects)
            {
                p.Only("slug", "platform", "name");
                var slug = p.String("slug", required: true)!;
                if (!SlugSyntax().IsMatch(slug)) p.Fail("slug", "must be lower case letters, digits, '-' or '_' (like a Sentry project slug)");
                if (file.Projects.Any(x => x.Slug == slug)) p.Fail("slug", $"duplicate project '{slug}'");
                file.Projects.Add(new ProjectSpec(slug, p.String("platform"), p.String("name") ?? slug));
            }
            var slugs = file.Projects.Select(x => x.Slug).ToHashSet(StringComparer.Ordinal);
            string ProjectOf(Node n)
            {
                var slug = n.String("project", required: true)!;
                if (!slugs.Contains(slug)) n.Fail("project", $"unknown project '{slug}' (declare it under $.projects)");
                return slug;
            }

            // The same shape as POST /sandbox/live takes, so a rehearsal can be written down once and replayed.
            foreach (var l in root.Array("live"))
            {
                LiveShape shape;
                try
                {
                    shape = LiveControl.Parse(l.Element.GetRawText());
                }
                catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException)
                {
                    throw new ScenarioFileException(l.Path, ex.Message);
                }

                if (shape.Issue is null && !slugs.Contains(shape.Project)) l.Fail("project", $"unknown project '{shape.Project}' (declare it under $.projects)");
                file.Live.Add(shape);
            }

            foreach (var r in root.Array("releases"))
            {
                r.Only("version", "project", "createdMinutesAgo", "deploys");
                var version = r.String("version", required: true)!;
                if (version.Contains('/') || version.Trim().Length == 0) r.Fail("version", "must be non-empty and contain no '/'");
                var deploys = new List<DeploySpec>();
                foreach (var d in r.Array("deploys"))
                {
                    d.Only("environment", "minutesAgo");
                    deploys.Add(new DeploySpec(d.String("environment", required: true)!, d.Number("minutesAgo", null, 0, 60 * 24 * 365)));
                }
                file.Releases.Add(new ReleaseSpec(version, ProjectOf(r), r.Number("createdMinutesAgo", null, 0, 60 * 24 * 365), deploys));
            }

            foreach (var i in root.Array("issues"))
            {
                i.Only("project", "exception", "message", "frame", "level", "handled", "environment", "release", "transaction", "count", "users",
                    "startMinutesAgo", "endMinutesAgo", "breadcrumbs", "tags", "fingerprint", "status", "trace");
                var project = ProjectOf(i);
                var exception = i.Object("exception");
                var message = i.String("message");
                if ((exception is null) == (message is null)) i.Fail("exception", "give either an exception {type, value} or a message");
                string? type = null, value = null;
                if (exception is not null)
                {
                    exception.Only("type", "value");
                    type = exception.String("type", required: true);
                    value = exception.String("value");
                }
                FrameSpec? frame = null;
                if (i.Object("frame") is { } f)
                {
                    f.Only("file", "function", "module", "line");
                    frame = new FrameSpec(f.String("file", required: true)!, f.String("function", required: true)!, f.String("module"), f.Has("line") ? f.Int("line", 1, 1, 1_000_000) : null);
                }
                var level = i.String("level") ?? "error";
                if (level is not ("fatal" or "error" or "warning" or "info" or "debug")) i.Fail("level", "must be fatal, error, warning, info or debug");
                var count = i.Int("count", null, 1, 1_000_000);
                var users = i.Int("users", 0, 0, count);
                var start = i.Number("startMinutesAgo", 60, 0, 60 * 24 * 90);
                var end = i.Number("endMinutesAgo", 0, 0, start);
                var crumbs = new List<CrumbSpec>();
                var crumbNodes = i.Array("breadcrumbs");
                for (var k = 0; k < crumbNodes.Count; k++)
                {
                    var c = crumbNodes[k];
                    c.Only("type", "category", "level", "message", "data", "secondsBefore");
                    var data = c.Object("data");
                    crumbs.Add(new CrumbSpec(c.String("type"), c.String("category"), c.String("level"), c.String("message"), data?.Element.GetRawText(),
                        c.Number("secondsBefore", crumbNodes.Count - k, 0, 86_400)));
                }
                var tags = new List<KeyValuePair<string, string>>();
                if (i.Object("tags") is { } t)
                    foreach (var property in t.Element.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.String) throw new ScenarioFileException($"{t.Path}.{property.Name}", "tag values must be strings");
                        tags.Add(new(property.Name, property.Value.GetString()!));
                    }
                List<string>? fingerprint = null;
                if (i.Has("fingerprint"))
                    fingerprint = i.Array("fingerprint").Select(n => n.Element.ValueKind == JsonValueKind.String ? n.Element.GetString()! : throw new ScenarioFileException(n.Path, "must be a string")).ToList();
                var status = i.String("status") ?? "unresolved";
                if (status is not ("unresolved" or "resolved" or "ignored")) i.Fail("status", "must be unresolved, resolved or ignored");
                file.Issues.Add(new IssueSpec(project, type, value, message, frame, level, i.Bool("handled", true), i.String("environment") ?? "production",
                    i.String("release"), i.String("transaction"), count, users, start, end, crumbs, tags, fingerprint, status, i.String("trace")));
            }

            foreach (var s in root.Array("sessions"))
            {
                s.Only("project", "release", "environment", "hours", "perHour", "crashedPerHour", "erroredPerHour", "usersPerHour");
                var project = ProjectOf(s);
                var hours = s.Int("hours", 24, 1, 24 * 90);
                var total = s.Hourly("perHour", hours, null);
                var crashed = s.Hourly("crashedPerHour", hours, 0);
                var errored = s.Hourly("erroredPerHour", hours, 0);
                for (var h = 0; h < hours; h++)
                    if (crashed[h] + errored[h] > total[h]) s.Fail(s.Has("crashedPerHour") ? "crashedPerHour" : "erroredPerHour", $"hour {h}: crashed + errored exceed perHour ({total[h]})");
                var users = s.Has("usersPerHour") ? s.Hourly("usersPerHour", hours, null) : total.Select(n => Math.Max(1, n / 3)).ToArray();
                file.Sessions.Add(new SessionSpec(project, s.String("release"), s.String("environment") ?? "production", hours, total, crashed, errored, users));
            }

            foreach (var t in root.Array("transactions"))
            {
                t.Only("project", "name", "op", "release", "environment", "hours", "perHour", "p50", "p95", "failureRate");
                var project = ProjectOf(t);
                var hours = t.Int("hours", 24, 1, 24 * 90);
                var p50 = t.Number("p50", null, 0.001, 3_600_000);
                var p95 = t.Number("p95", null, p50, 3_600_000);
                file.Transactions.Add(new TransactionSpec(project, t.String("name", required: true)!, t.String("op") ?? "http.server", t.String("release"),
                    t.String("environment") ?? "production", hours, t.Hourly("perHour", hours, null), p50, p95, t.Number("failureRate", 0, 0, 1)));
            }
            return file;
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex SlugSyntax();

    /// <summary>A JSON element with its path, and typed accessors that fail with that path.</summary>
    private sealed class Node(JsonElement element, string path)
    {
        public JsonElement Element { get; } = element;
        public string Path { get; } = path;

        public void Fail(string property, string problem) => throw new ScenarioFileException($"{Path}.{property}", problem);

        public bool Has(string name) => Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        public void Only(params string[] names)
        {
            if (Element.ValueKind != JsonValueKind.Object) throw new ScenarioFileException(Path, "must be an object");
            foreach (var p in Element.EnumerateObject())
                if (!names.Contains(p.Name)) throw new ScenarioFileException($"{Path}.{p.Name}", $"unknown property (expected one of: {string.Join(", ", names)})");
        }

        private JsonElement? Get(string name, bool required)
        {
            if (Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null) return v;
            if (required) Fail(name, "is required");
            return null;
        }

        public string? String(string name, bool required = false)
        {
            if (Get(name, required) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.String) Fail(name, "must be a string");
            return v.GetString();
        }

        public bool Bool(string name, bool fallback)
        {
            if (Get(name, false) is not { } v) return fallback;
            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) Fail(name, "must be true or false");
            return v.GetBoolean();
        }

        public double Number(string name, double? fallback, double min, double max)
        {
            if (Get(name, fallback is null) is not { } v) return fallback!.Value;
            if (v.ValueKind != JsonValueKind.Number) Fail(name, "must be a number");
            var d = v.GetDouble();
            if (d < min || d > max) Fail(name, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
            return d;
        }

        public int Int(string name, int? fallback, int min, int max)
        {
            if (Get(name, fallback is null) is not { } v) return fallback!.Value;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n)) throw new ScenarioFileException($"{Path}.{name}", "must be an integer");
            if (n < min || n > max) Fail(name, $"must be between {min} and {max}");
            return n;
        }

        /// <summary>An integer, the same every hour, or an array with one integer per hour (oldest first).</summary>
        public int[] Hourly(string name, int hours, int? fallback)
        {
            if (Get(name, fallback is null) is not { } v) return Enumerable.Repeat(fallback!.Value, hours).ToArray();
            if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(Int(name, null, 0, 10_000_000), hours).ToArray();
            if (v.ValueKind != JsonValueKind.Array) Fail(name, "must be an integer or an array of integers (one per hour, oldest first)");
            if (v.GetArrayLength() != hours) Fail(name, $"has {v.GetArrayLength()} entries but hours is {hours}");
            var list = new int[hours];
            var k = 0;
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var n) || n < 0)
                    throw new ScenarioFileException($"{Path}.{name}[{k}]", "must be a non-negative integer");
                list[k++] = n;
            }
            return list;
        }

        public Node? Object(string name)
        {
            if (Get(name, false) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Object) Fail(name, "must be an object");
            return new Node(v, $"{Path}.{name}");
        }

        public List<Node> Array(string name, bool required = false)
        {
            if (Get(name, required) is not { } v) return [];
            if (v.ValueKind != JsonValueKind.Array) Fail(name, "must be an array");
            return v.EnumerateArray().Select((e, i) => new Node(e, $"{Path}.{name}[{i}]")).ToList();
        }
    }

    // ---- building -------------------------------------------------------------------------------------

    /// <summary>Builds the store: projects, releases and deploys, then events (through ingest), sessions and transactions.</summary>
    public EventStore Build(SandboxOptions options, DateTimeOffset now)
    {
        var rng = new Random(Seed);
        var ids = new Random(Seed ^ 0x5EED);
        string NextId()
        {
            Span<byte> bytes = stackalloc byte[16];
            ids.NextBytes(bytes);
            return Convert.ToHexStringLower(bytes);
        }

        var created = Precision.Trim(now.AddDays(-400), 3);
        var team = new Team("1", "backend", "Backend");
        var projects = Projects.Select((p, i) => new Project((i + 1).ToString(CultureInfo.InvariantCulture), p.Slug, p.Name, p.Platform,
            created.AddMinutes(5 + 4 * i), team, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))).ToList();
        // The announced project must exist: default to the file's first one.
        if (projects.All(p => p.Slug != options.Project)) options.Project = projects[0].Slug;
        var store = new EventStore(new Organization("1", options.Organization, options.Organization, created), projects, now);
        Project P(string slug) => store.FindProject(slug)!;
        DateTimeOffset Ago(double minutes) => Precision.Trim(now.AddMinutes(-minutes), 3);

        foreach (var r in Releases.OrderByDescending(r => r.CreatedMinutesAgo))
        {
            var release = store.Read(s => s.Releases.Ensure(r.Version, P(r.Project), Ago(r.CreatedMinutesAgo)));
            foreach (var d in r.Deploys)
                store.AddDeploy(release, d.Environment, null, null, Ago(d.MinutesAgo + 1), Ago(d.MinutesAgo), [P(r.Project).Id]);
        }

        foreach (var spec in Issues) AddIssue(store, spec, P(spec.Project), now, rng, NextId);
        foreach (var spec in Sessions) AddSessions(store, spec, P(spec.Project), now);
        foreach (var spec in Transactions) AddTransactions(store, spec, P(spec.Project), now, rng, NextId);
        return store;
    }

    private static void AddIssue(EventStore store, IssueSpec spec, Project project, DateTimeOffset now, Random rng, Func<string> nextId)
    {
        var frames = new List<Frame> { new("node:internal/runtime", null, "run", "runtime", 1, 1, false) };
        if (spec.Frame is { } f) frames.Add(new Frame(f.File, "/app/" + f.File, f.Function, f.Module, f.Line ?? 1, 1, true));
        ExceptionValue[] exceptions = spec.ExceptionType is null ? [] : [new(spec.ExceptionType, spec.ExceptionValue, null, new Mechanism("generic", spec.Handled), frames)];
        var platform = project.Platform ?? "other";
        var step = spec.Count == 1 ? TimeSpan.Zero : TimeSpan.FromMinutes(spec.StartMinutesAgo - spec.EndMinutesAgo) / (spec.Count - 1);
        Issue? issue = null;
        for (var i = 0; i < spec.Count; i++)
        {
            var at = Precision.Trim(now.AddMinutes(-spec.StartMinutesAgo) + step * i, 3);
            int? user = spec.Users == 0 ? null : i < spec.Users ? i : rng.Next(spec.Users);
            var eventId = nextId();
            issue = store.Ingest(new ErrorEvent
            {
                EventId = eventId, Project = project, Timestamp = at, Received = at.AddMilliseconds(50),
                Level = spec.Level, Platform = platform, Release = spec.Release, Environment = spec.Environment, Transaction = spec.Transaction,
                Message = spec.Message, Exceptions = exceptions,
                Breadcrumbs = spec.Breadcrumbs.Select(c => new Breadcrumb(at.AddSeconds(-c.SecondsBefore), c.Type ?? "default", c.Category, c.Level ?? "info", c.Message, c.DataJson)).ToList(),
                User = user is { } u ? new EventUser($"user-{u}", $"user{u}@example.com", null, null, null, null) : null,
                SdkTags = spec.Tags, Fingerprint = spec.Fingerprint, Size = 2000,
                // SDKs give every event a trace: its own request's, unless the issue shares traces with others.
                TraceId = spec.Trace is { } trace ? TraceIdOf(trace, i) : TraceIdOf(eventId, 0),
            }).Issue;
        }
        if (issue is null) return;
        if (spec.Status == "resolved") store.Resolve(issue, issue.LastSeen.AddMinutes(1) < now ? issue.LastSeen.AddMinutes(1) : now);
        else if (spec.Status == "ignored") store.Ignore(issue, "archived_forever", issue.LastSeen.AddMinutes(1) < now ? issue.LastSeen.AddMinutes(1) : now);
    }

    /// <summary>
    /// The trace of an issue's i-th event: issues naming the same `trace` share trace ids event by event, as a
    /// frontend error and the backend error behind it do (one request, one trace).
    /// </summary>
    private static string TraceIdOf(string trace, int index) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{trace}/{index}")))[..32];

    /// <summary>
    /// Each hour's sessions are shared among that hour's users (one aggregate row per user, spread over
    /// the hour); crashed and errored sessions go one per user from the first user on, so a crash hits as
    /// many users as possible. Users recur across hours from a pool four hours deep.
    /// </summary>
    private static void AddSessions(EventStore store, SessionSpec spec, Project project, DateTimeOffset now)
    {
        var thisHour = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var pool = Math.Max(1, spec.UsersPerHour.Max()) * 4;
        for (var h = 0; h < spec.Hours; h++)
        {
            var hourStart = thisHour.AddHours(-(spec.Hours - h));
            var total = spec.PerHour[h];
            if (total == 0) continue;
            var users = Math.Clamp(spec.UsersPerHour[h], 1, total);
            for (var i = 0; i < users; i++)
            {
                var share = total / users + (i < total % users ? 1 : 0);
                var crashed = Math.Min(share, spec.CrashedPerHour[h] / users + (i < spec.CrashedPerHour[h] % users ? 1 : 0));
                var errored = Math.Min(share - crashed, spec.ErroredPerHour[h] / users + (i < spec.ErroredPerHour[h] % users ? 1 : 0));
                var started = hourStart.AddSeconds(i * 3600 / users);
                started = new DateTimeOffset(started.UtcTicks - started.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
                store.AddSessionAggregate(new SessionAggregate(project, started, $"{project.Slug}-user-{(h * users + i) % pool}",
                    share - crashed - errored, errored, crashed, 0, spec.Release, spec.Environment));
            }
        }
    }

    /// <summary>Durations follow a log-normal with the given median and 95th percentile, laid out by quantile so the figures hold exactly.</summary>
    private static void AddTransactions(EventStore store, TransactionSpec spec, Project project, DateTimeOffset now, Random rng, Func<string> nextId)
    {
        var sigma = spec.P95 <= spec.P50 ? 0 : Math.Log(spec.P95 / spec.P50) / 1.6448536;
        for (var h = 0; h < spec.Hours; h++)
        {
            var hourStart = now.AddHours(-(spec.Hours - h));
            var n = spec.PerHour[h];
            var durations = Enumerable.Range(0, n).Select(i => spec.P50 * Math.Exp(sigma * Probit((i + 0.5) / n))).OrderBy(_ => rng.Next()).ToList();
            for (var i = 0; i < n; i++)
            {
                var start = Precision.Trim(hourStart.AddSeconds(3590.0 * i / Math.Max(1, n)), 3);
                var id = nextId();
                var status = rng.NextDouble() < spec.FailureRate ? "internal_error" : "ok";
                store.AddTransaction(new TransactionRecord(id, project, id, id[..16], spec.Name, spec.Op, start, Math.Round(durations[i], 3), status,
                    spec.Release, spec.Environment, null, [], project.Platform ?? "other", start.AddMilliseconds(durations[i] + 50)));
            }
        }
    }

    /// <summary>The standard normal quantile (Acklam's rational approximation, |error| &lt; 1.2e-9).</summary>
    public static double Probit(double p)
    {
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
