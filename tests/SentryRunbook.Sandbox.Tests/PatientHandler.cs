using System.Globalization;
using System.Net;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// What a well-behaved client does when the sandbox's rate limits (on by default, like sentry.io's) refuse a
/// request: wait for the window Sentry names in X-Sentry-Rate-Limit-Reset, then ask again. Tests that are not
/// about rate limits use it so that their own speed never decides their outcome; RateLimitTests does not.
/// </summary>
public sealed class PatientHandler() : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The content is read once and replayed: a request message cannot be sent twice.
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var contentType = request.Content?.Headers.ContentType;
        for (var attempt = 0; ; attempt++)
        {
            using var copy = new HttpRequestMessage(request.Method, request.RequestUri);
            foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (body is not null)
            {
                copy.Content = new ByteArrayContent(body);
                copy.Content.Headers.ContentType = contentType;
            }
            var response = await base.SendAsync(copy, cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= 20
                || !response.Headers.TryGetValues("X-Sentry-Rate-Limit-Remaining", out _)) return response;
            var reset = long.Parse(response.Headers.GetValues("X-Sentry-Rate-Limit-Reset").First(), CultureInfo.InvariantCulture);
            var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - DateTimeOffset.UtcNow;
            response.Dispose();
            await Task.Delay(wait > TimeSpan.Zero ? wait + TimeSpan.FromMilliseconds(20) : TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }
}
