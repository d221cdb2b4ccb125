using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Analysis
{
    /// <summary>A measured figure, the query that gave it (as sent) and, when Sentry could not give it, why.</summary>
    internal interface IFigure
    {
        string Name { get; }
        ImpactQuery? Query { get; }
        string? MissingReason { get; }
    }

    internal sealed class Figure<T> : IFigure
    {
        public Figure(T value, ImpactQuery? query, string? missingReason = null)
        {
            Value = value;
            Query = query;
            MissingReason = missingReason;
        }

        public string Name { get; set; } = string.Empty;
        public T Value { get; }
        public ImpactQuery? Query { get; }
        public string? MissingReason { get; }

        public static Figure<T> Missing(string reason) => new Figure<T>(default!, null, reason);
    }

    /// <summary>
    /// How the measuring code runs a query and records it: a refusal becomes a missing signal that names the
    /// figure and the error id, and the record of a query is the query's own parameters (<c>ToParameters</c>),
    /// the very ones sent, so the record can never leave one out.
    /// </summary>
    internal static class Figures
    {
        /// <summary>Runs one query; a Sentry refusal becomes a missing signal, while failures that stop everything propagate.</summary>
        public static async Task<Figure<T>> Attempt<T>(string name, Func<CancellationToken, Task<Figure<T>>> query, CancellationToken cancellationToken)
        {
            try
            {
                Figure<T> figure = await query(cancellationToken).ConfigureAwait(false);
                figure.Name = name;
                return figure;
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                Figure<T> missing = Figure<T>.Missing(MissingReason(name, ex));
                missing.Name = name;
                return missing;
            }
        }

        /// <summary>
        /// A missing signal for a failed call: <c>Name: Sentry answered 500 (detail) [SentryServerError]</c>. The name comes
        /// first (reports list missing signals by it); the error id says which failure it was.
        /// </summary>
        public static string MissingReason(string name, SentryApiException ex) => name + ": " + Refusal(ex);

        /// <summary>What Sentry answered, with its detail, or without an answer the error's message; and the error id.</summary>
        public static string Refusal(SentryApiException ex) =>
            (ex.StatusCode is int s
                ? $"Sentry answered {s.ToString(CultureInfo.InvariantCulture)}" + (ex.Detail is null ? string.Empty : $" ({ex.Detail})")
                : ex.Message.TrimEnd('.'))
            + $" [{ex.ErrorId}]";

        public static ImpactQuery Record(string figure, DiscoverQuery query, string result) => new ImpactQuery(figure, "events/", query.ToParameters(), result);

        public static ImpactQuery Record(string figure, StatsQuery query, string result) => new ImpactQuery(figure, "events-stats/", query.ToParameters(), result);

        public static ImpactQuery Record(string figure, SessionsQuery query, string result) => new ImpactQuery(figure, "sessions/", query.ToParameters(), result);

        public static IReadOnlyList<KeyValuePair<string, string>> Pairs(params (string Key, string Value)[] pairs)
        {
            var list = new List<KeyValuePair<string, string>>(pairs.Length);
            foreach ((string key, string value) in pairs) list.Add(new KeyValuePair<string, string>(key, value));
            return list;
        }
    }
}
