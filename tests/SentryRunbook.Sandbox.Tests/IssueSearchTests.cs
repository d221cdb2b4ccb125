using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Search;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// Sentry's issue-search grammar over a small store whose every issue is known, so each query's exact
/// answer can be stated: tags, user fields, error fields, issue fields, negation, lists, wildcards,
/// comparisons, has:, and the constructs refused with an error instead of an empty answer.
/// </summary>
public sealed class IssueSearchTests
{
    private static readonly DateTimeOffset Now = StoreTestData.T0.AddHours(1);
    private readonly StoreTestData _data = new();
    private readonly Issue _checkout = null!;
    private readonly Issue _cart;
    private readonly Issue _notice;
    private readonly Issue _worker = null!;

    public IssueSearchTests()
    {
        var t0 = StoreTestData.T0;
        // checkout: 3 events, Chrome on Windows, fidtag=yes, users u-1 (ada@acme.example) and u-2, unhandled.
        for (var n = 0; n < 3; n++)
        {
            _checkout = _data.Ingest(Event("TypeError", "Cannot read 'total'", "checkout.ts", t0.AddMinutes(-n), "web@2.0",
                tags: [new("fidtag", "yes"), new("browser.name", "Chrome"), new("os.name", "Windows")],
                user: n == 0 ? new EventUser("u-1", "ada@acme.example", "ada", "10.0.0.1", null, null) : new EventUser("u-2", null, null, null, null, null),
                handled: false));
        }
        // cart: one event, Safari on iOS, fidtag=no, user u-3 (bob@shop.example), handled, an older release.
        _cart = _data.Ingest(Event("RangeError", "Invalid array length", "cart.ts", t0.AddDays(-3), "web@1.9",
            tags: [new("fidtag", "no"), new("browser.name", "Safari"), new("os.name", "iOS")],
            user: new EventUser("u-3", "bob@shop.example", null, null, null, null), handled: true));
        // notice: a plain message, no user, no custom tags, first seen long ago.
        _notice = _data.Ingest(_data.Message("Cache warmed", StoreTestData.T0.AddDays(-40)));
        // worker: 120 events, a chained exception (ValueError raised from KeyError), fidtag=yes on one event only.
        for (var n = 0; n < 120; n++)
        {
            _worker = _data.Ingest(Event("ValueError", "bad row", "jobs.py", t0.AddSeconds(-n), null,
                tags: n == 0 ? [new("fidtag", "yes")] : [], user: null, handled: true, cause: "KeyError"));
        }
        _data.Store.SetPriority(_checkout, "high");
        _data.Store.SetPriority(_cart, "low");
        _data.Store.Resolve(_cart, t0.AddDays(-2));
        // Explicit substatuses: the derived "new" depends on the wall clock, these do not.
        _data.Store.SetSubstatus(_checkout, "regressed");
        _data.Store.SetSubstatus(_worker, "escalating");
    }

    private ErrorEvent Event(string type, string value, string file, DateTimeOffset at, string? release,
        KeyValuePair<string, string>[] tags, EventUser? user, bool handled, string? cause = null)
    {
        var frames = new[] { StoreTestData.InApp("run", file) };
        var main = new ExceptionValue(type, value, null, new Mechanism("generic", handled), frames);
        return new ErrorEvent
        {
            EventId = Guid.NewGuid().ToString("N"),
            Project = _data.Project,
            Timestamp = at,
            Received = at,
            Release = release,
            Environment = "production",
            Exceptions = cause is null ? [main] : [new ExceptionValue(cause, "'id'", null, null, frames), main],
            SdkTags = tags,
            User = user,
        };
    }

    private string[] Search(string query)
    {
        var search = IssueSearch.Parse(query, _data.Store, Now, out var error);
        Assert.True(search is not null, $"'{query}' was refused: {error}");
        return _data.Store.Read(s => s.Issues.Where(search!.Matches).Select(Name).Order().ToArray());
    }

    private string Name(Issue i) => i == _checkout ? "checkout" : i == _cart ? "cart" : i == _notice ? "notice" : i == _worker ? "worker" : "?";

    private string Refused(string query)
    {
        var search = IssueSearch.Parse(query, _data.Store, Now, out var error);
        Assert.Null(search);
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    [Theory]
    [InlineData("fidtag:yes", "checkout,worker")]
    [InlineData("fidtag:no", "cart")]
    [InlineData("!fidtag:yes", "cart,notice,worker")] // per event, as Sentry: worker has events without the tag
    [InlineData("fidtag:[yes,no]", "cart,checkout,worker")]
    [InlineData("tags[fidtag]:no", "cart")]
    [InlineData("fidtag:\"\"", "notice,worker")] // events that lack the tag
    [InlineData("browser.name:Chrome", "checkout")]
    [InlineData("browser.name:Saf*", "cart")]
    [InlineData("os.name:[iOS, Windows]", "cart,checkout")]
    [InlineData("nosuchtag:x", "")] // an unknown key is a tag filter, like Sentry: no issue has that tag
    public void TagFilters(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Theory]
    [InlineData("user.id:u-1", "checkout")]
    [InlineData("user.id:[u-2,u-3]", "cart,checkout")]
    [InlineData("user.email:ada@acme.example", "checkout")]
    [InlineData("user.email:*@shop.example", "cart")]
    [InlineData("user.username:ada", "checkout")]
    [InlineData("user.ip:10.0.0.1", "checkout")]
    [InlineData("has:user", "cart,checkout")]
    [InlineData("!has:user", "notice,worker")]
    [InlineData("has:user.email", "cart,checkout")]
    [InlineData("user:id:u-3", "cart")] // the `user` tag itself, "id:" prefixed like Sentry's
    public void UserFilters(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Theory]
    [InlineData("error.type:TypeError", "checkout")]
    [InlineData("error.type:KeyError", "worker")] // any exception of the chain
    [InlineData("error.type:[RangeError,ValueError]", "cart,worker")]
    [InlineData("!error.type:TypeError", "cart,notice,worker")]
    [InlineData("error.value:\"Invalid array length\"", "cart")]
    [InlineData("error.unhandled:true", "checkout")]
    [InlineData("error.handled:1", "cart,worker")]
    [InlineData("has:error.type", "cart,checkout,worker")]
    public void ErrorFilters(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Theory]
    [InlineData("issue.priority:high", "checkout")]
    [InlineData("issue.priority:[high,low]", "cart,checkout,notice")] // an info-level issue starts at low
    [InlineData("!issue.priority:high", "cart,notice,worker")]
    [InlineData("is:unresolved", "checkout,notice,worker")]
    [InlineData("!is:unresolved", "cart")]
    [InlineData("is:resolved", "cart")]
    [InlineData("is:for_review", "checkout,worker")] // unresolved and regressed/escalating (or new)
    [InlineData("is:reviewed", "cart,notice")]
    [InlineData("is:unlinked", "cart,checkout,notice,worker")]
    [InlineData("issue.category:error", "cart,checkout,notice,worker")]
    [InlineData("issue.category:[performance,feedback]", "")]
    [InlineData("level:info", "notice")]
    [InlineData("level:[info,error]", "cart,checkout,notice,worker")]
    [InlineData("release:web@2.0", "checkout")]
    [InlineData("release:web@*", "cart,checkout")]
    [InlineData("!release:web@2.0", "cart,notice,worker")]
    [InlineData("firstRelease:web@1.9", "cart")]
    public void IssueFields(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Fact]
    public void IssueId_MatchesExactlyTheListedIssues_AndNegationExcludesExactlyThem()
    {
        Assert.Equal(["checkout"], Search($"issue.id:{_checkout.Id}"));
        Assert.Equal(["cart", "worker"], Search($"issue.id:[{_cart.Id},{_worker.Id}]"));
        Assert.Equal(["cart", "worker"], Search($"issue.id:[{_cart.Id}, {_worker.Id}, 999999]")); // unknown ids match nothing
        Assert.Equal(["checkout", "notice"], Search($"!issue.id:[{_cart.Id},{_worker.Id}]"));
        Assert.Equal(["cart", "notice", "worker"], Search($"!issue.id:{_checkout.Id}"));
        Assert.Equal(["worker"], Search($"issue.id:[{_cart.Id},{_worker.Id}] is:unresolved"));
        Assert.Empty(Search($"issue.id:{_checkout.Id} !issue.id:{_checkout.Id}"));
        Assert.Contains("not an integer", Refused("issue.id:[1,WEB-1]"));
    }

    [Theory]
    [InlineData("times_seen:>100", "worker")]
    [InlineData("times_seen:>=3", "checkout,worker")]
    [InlineData("times_seen:<3", "cart,notice")]
    [InlineData("times_seen:1", "cart,notice")]
    [InlineData("times_seen:[1,3]", "cart,checkout,notice")]
    [InlineData("times_seen:>0.1k", "worker")]
    [InlineData("!times_seen:>100", "cart,checkout,notice")]
    public void CountComparisons(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Theory]
    [InlineData("firstSeen:-24h", "checkout,worker")]
    [InlineData("firstSeen:+24h", "cart,notice")]
    [InlineData("lastSeen:-2h", "checkout,worker")]
    [InlineData("firstSeen:>2026-11-27", "checkout,worker")] // T0 is 2026-11-28 10:00 UTC
    [InlineData("firstSeen:<2026-11-01", "notice")]
    [InlineData("firstSeen:<=2026-11-25T10:00:00Z", "cart,notice")]
    [InlineData("firstSeen:2026-11-25", "cart")] // a bare date is that whole day
    [InlineData("!firstSeen:-24h", "cart,notice")]
    public void DateComparisons(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Theory]
    [InlineData("fidtag:yes browser.name:Chrome", "checkout")]
    [InlineData("fidtag:yes error.type:KeyError", "worker")]
    // One event must meet every event condition: no worker event has both fidtag=yes and no fidtag.
    [InlineData("fidtag:yes !has:fidtag", "")]
    [InlineData("\"Invalid array\"", "cart")]
    [InlineData("cart.ts", "cart")] // free text is the title and the culprit ("cart.ts in run")
    [InlineData("message:\"Cache warm*\"", "notice")]
    [InlineData("!Cannot", "cart,notice,worker")]
    public void CombinationsAndFreeText(string query, string expected) => Assert.Equal(Split(expected), Search(query));

    [Theory]
    [InlineData("fidtag:yes OR fidtag:no", "\"OR\" or \"AND\" are not supported")]
    [InlineData("(fidtag:yes)", "Parenthesized")]
    [InlineData("is:wrong", "Invalid value for \"is\" search, valid values are [")]
    [InlineData("is:[resolved,unresolved]", "\"in\" syntax invalid")]
    [InlineData("times_seen:>lots", "Invalid number for times_seen")]
    [InlineData("firstSeen:>yesterday", "Invalid date format for firstSeen")]
    [InlineData("issue.priority:urgent", "Invalid priority value: urgent")]
    [InlineData("count():>10", "does not support the \"count()\" filter")]
    [InlineData("detector:abc", "does not support the \"detector\" filter")]
    [InlineData("project:nope", "Project(s) nope do not exist")]
    [InlineData("fidtag:", "Empty value for fidtag")]
    public void UnsupportedConstructs_AreRefusedWithAReason(string query, string expected) =>
        Assert.Contains(expected, Refused(query));

    [Fact]
    public void StatusOnlyQueries_DoNotCountAsFiltered()
    {
        Assert.False(IssueSearch.Parse("is:unresolved", _data.Store, Now, out _)!.NarrowsBeyondStatus);
        Assert.True(IssueSearch.Parse("is:unresolved fidtag:yes", _data.Store, Now, out _)!.NarrowsBeyondStatus);
    }

    [Fact]
    public void Tokenize_KeepsQuotesAndListsWhole()
    {
        Assert.Equal(["a:\"x y\"", "b:[1, 2]", "free"], SearchTerms.Tokenize("a:\"x y\"  b:[1, 2] free"));
        Assert.Equal(["a:\"say \\\"hi there\\\"\""], SearchTerms.Tokenize("a:\"say \\\"hi there\\\"\""));
    }

    private static string[] Split(string names) => names.Length == 0 ? [] : names.Split(',').Order().ToArray();
}
