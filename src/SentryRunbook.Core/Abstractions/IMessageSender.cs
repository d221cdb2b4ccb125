using System;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Models;

namespace SentryRunbook.Abstractions
{
    /// <summary>Delivers a JSON body to a chat or paging webhook. Implemented by SentryRunbook.Client.</summary>
    public interface IMessageSender
    {
        /// <summary>POSTs <paramref name="json"/> to <paramref name="uri"/>, retrying only what is safe to repeat (see the Client's RetryRules); never throws for an HTTP failure.</summary>
        Task<IncidentDelivery> SendAsync(string target, string kind, Uri uri, string json, CancellationToken cancellationToken);
    }
}
