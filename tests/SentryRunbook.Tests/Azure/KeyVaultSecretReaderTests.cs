using SentryRunbook.Client.Azure;
using SentryRunbook.Errors;

namespace SentryRunbook.Tests.Azure;

public class KeyVaultSecretReaderTests : IDisposable
{
    private const string SentryToken = "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
    private readonly LocalAzure _azure = new();
    private readonly List<string> _log = new();

    public KeyVaultSecretReaderTests() => _azure.Secrets["sentry-token"] = SentryToken;

    public void Dispose() => _azure.Dispose();

    private KeyVaultSecretReader AppServiceHost(Dictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["IDENTITY_ENDPOINT"] = _azure.IdentityEndpoint.ToString(),
            ["IDENTITY_HEADER"] = LocalAzure.IdentityHeader,
        };
        foreach (var pair in extra ?? new()) environment[pair.Key] = pair.Value;
        return new KeyVaultSecretReader(environment: name => environment.GetValueOrDefault(name), imdsEndpoint: new Uri(_azure.BaseUri, "no-imds-here")) { Log = _log.Add };
    }

    private KeyVaultSecretReader VirtualMachine() =>
        new(environment: _ => null, imdsEndpoint: _azure.ImdsEndpoint) { Log = _log.Add };

    private void AssertNoTokenOrSecretLogged()
    {
        foreach (string line in _log)
        {
            Assert.DoesNotContain(LocalAzure.AccessToken, line);
            Assert.DoesNotContain(SentryToken, line);
            Assert.DoesNotContain(LocalAzure.IdentityHeader, line);
        }
    }

    [Fact]
    public async Task On_Automation_Functions_or_App_Service_the_identity_endpoint_gives_the_vault_token()
    {
        using KeyVaultSecretReader reader = AppServiceHost();
        string secret = await reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None);

        Assert.Equal(SentryToken, secret);
        var requests = _azure.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("/msi/token?resource=https%3A%2F%2Fvault.azure.net&api-version=2019-08-01", requests[0].PathAndQuery);
        Assert.Equal(LocalAzure.IdentityHeader, requests[0].IdentityHeader);
        Assert.Equal("/secrets/sentry-token?api-version=7.4", requests[1].PathAndQuery);
        Assert.Equal("Bearer " + LocalAzure.AccessToken, requests[1].Authorization);
        Assert.Equal(2, _log.Count);
        AssertNoTokenOrSecretLogged();
    }

    [Fact]
    public async Task On_a_VM_IMDS_gives_the_vault_token()
    {
        using KeyVaultSecretReader reader = VirtualMachine();
        Assert.Equal(SentryToken, await reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None));
        var first = _azure.Requests.First();
        Assert.StartsWith("/metadata/identity/oauth2/token?resource=https%3A%2F%2Fvault.azure.net&api-version=2018-02-01", first.PathAndQuery);
        Assert.Equal("true", first.Metadata);
    }

    [Fact]
    public async Task A_user_assigned_identity_is_named_by_AZURE_CLIENT_ID()
    {
        using KeyVaultSecretReader reader = AppServiceHost(new() { ["AZURE_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555" });
        await reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None);
        Assert.EndsWith("&client_id=11111111-2222-3333-4444-555555555555", _azure.Requests.First().PathAndQuery);
    }

    [Fact]
    public async Task A_missing_secret_is_named_without_the_token()
    {
        using KeyVaultSecretReader reader = AppServiceHost();
        var error = await Assert.ThrowsAsync<SentryApiException>(() => reader.GetSecretAsync(_azure.SecretUri("nope"), CancellationToken.None));
        Assert.Equal("AzureKeyVaultSecretNotFound", error.ErrorId);
        Assert.Contains("SecretNotFound", error.Message);
        Assert.DoesNotContain(LocalAzure.AccessToken, error.Message + error.RecommendedAction);
        AssertNoTokenOrSecretLogged();
    }

    [Fact]
    public async Task An_identity_that_is_refused_says_how_to_enable_it()
    {
        _azure.RefuseTokens = true;
        using KeyVaultSecretReader reader = AppServiceHost();
        var error = await Assert.ThrowsAsync<SentryApiException>(() => reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None));
        Assert.Equal("AzureManagedIdentityFailed", error.ErrorId);
        Assert.Contains("Identity not found", error.Message);
        Assert.Single(_azure.Requests); // the vault was never asked
    }

    [Fact]
    public async Task No_identity_endpoint_at_all_is_a_configuration_error()
    {
        using var reader = new KeyVaultSecretReader(environment: _ => null, imdsEndpoint: new Uri("http://127.0.0.1:1/metadata/identity/oauth2/token"));
        var error = await Assert.ThrowsAsync<SentryApiException>(() => reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None));
        Assert.Equal("AzureManagedIdentityUnavailable", error.ErrorId);
        Assert.Equal(SentryErrorKind.Configuration, error.Kind);
    }

    [Fact]
    public async Task On_an_Arc_enabled_server_the_agent_s_challenge_is_answered_with_its_key_file()
    {
        string folder = Directory.CreateTempSubdirectory("arc-tokens-").FullName;
        try
        {
            _azure.ArcKey = "arc-key-" + Guid.NewGuid().ToString("N");
            _azure.ArcChallengePath = Path.Combine(folder, "challenge.key");
            File.WriteAllText(_azure.ArcChallengePath, _azure.ArcKey + "\n");
            var environment = new Dictionary<string, string?> { ["IDENTITY_ENDPOINT"] = _azure.ArcEndpoint.ToString(), ["IMDS_ENDPOINT"] = "http://localhost:40342" };
            using var reader = new KeyVaultSecretReader(environment: n => environment.GetValueOrDefault(n), imdsEndpoint: new Uri(_azure.BaseUri, "no-imds-here"), arcKeyFolder: folder) { Log = _log.Add };

            Assert.Equal(SentryToken, await reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None));
            var requests = _azure.Requests.ToArray();
            Assert.Equal(3, requests.Length);
            Assert.Null(requests[0].Authorization);
            Assert.Equal("Basic " + _azure.ArcKey, requests[1].Authorization);
            Assert.All(_log, line => Assert.DoesNotContain(_azure.ArcKey, line));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task An_Arc_challenge_naming_a_file_outside_the_agent_s_folder_is_refused_unread()
    {
        string folder = Directory.CreateTempSubdirectory("arc-tokens-").FullName;
        string elsewhere = Path.GetTempFileName();
        try
        {
            File.WriteAllText(elsewhere, "not-for-the-agent");
            _azure.ArcChallengePath = elsewhere;
            var environment = new Dictionary<string, string?> { ["IDENTITY_ENDPOINT"] = _azure.ArcEndpoint.ToString() };
            using var reader = new KeyVaultSecretReader(environment: n => environment.GetValueOrDefault(n), arcKeyFolder: folder);

            var error = await Assert.ThrowsAsync<SentryApiException>(() => reader.GetSecretAsync(_azure.SecretUri("sentry-token"), CancellationToken.None));
            Assert.Equal("AzureManagedIdentityFailed", error.ErrorId);
            Assert.Single(_azure.Requests); // the file was never sent
        }
        finally
        {
            Directory.Delete(folder, true);
            File.Delete(elsewhere);
        }
    }

    [Theory]
    [InlineData("https://my-vault.vault.azure.net/secrets/sentry-token", true)]
    [InlineData("https://my-vault.vault.azure.net/secrets/sentry-token/0123456789abcdef", true)]
    [InlineData("https://my-vault.vault.azure.cn/secrets/sentry-token", true)]
    [InlineData("http://my-vault.vault.azure.net/secrets/sentry-token", false)]
    [InlineData("https://evil.example/secrets/sentry-token", false)]
    [InlineData("https://my-vault.vault.azure.net/keys/sentry-token", false)]
    [InlineData("https://my-vault.vault.azure.net/secrets/sentry-token?api-version=7.4", false)]
    [InlineData("sentry-token", false)]
    public void Only_a_vault_secret_URI_is_accepted_so_the_token_goes_to_no_other_host(string text, bool accepted)
    {
        if (accepted) Assert.Equal(text, KeyVaultSecretReader.ParseSecretUri(text).ToString());
        else Assert.Equal("AzureKeyVaultSecretUriInvalid", Assert.Throws<SentryApiException>(() => KeyVaultSecretReader.ParseSecretUri(text)).ErrorId);
    }

    [Theory]
    [InlineData("https://my-vault.vault.azure.net/secrets/x", "https://vault.azure.net")]
    [InlineData("https://my-vault.vault.usgovcloudapi.net/secrets/x", "https://vault.usgovcloudapi.net")]
    [InlineData("http://127.0.0.1:5000/secrets/x", "https://vault.azure.net")]
    public void The_token_audience_follows_the_vault_cloud(string uri, string resource) =>
        Assert.Equal(resource, KeyVaultSecretReader.ResourceFor(new Uri(uri)));
}
