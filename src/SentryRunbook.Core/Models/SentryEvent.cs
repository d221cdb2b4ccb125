using System;
using System.Collections.Generic;
using System.Linq;

namespace SentryRunbook.Models
{
    /// <summary>One event of an issue, with what the issue page shows: exceptions, frames, breadcrumbs, tags, user, contexts.</summary>
    public sealed class SentryEvent
    {
        public SentryEvent(
            string eventId,
            string? issueId,
            string? projectId,
            DateTimeOffset? dateCreated,
            string? title,
            string? message,
            string? platform,
            string? release,
            string? environment,
            string? transaction,
            IReadOnlyList<SentryExceptionInfo> exceptions,
            IReadOnlyList<SentryBreadcrumb> breadcrumbs,
            IReadOnlyDictionary<string, string> tags,
            SentryUser? user,
            IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> contexts,
            IReadOnlyDictionary<string, string> extra,
            SentryRequestInfo? request,
            SentrySdkInfo? sdk)
        {
            EventId = eventId;
            IssueId = issueId;
            ProjectId = projectId;
            DateCreated = dateCreated;
            Title = title;
            Message = message;
            Platform = platform;
            Release = release;
            Environment = environment;
            Transaction = transaction;
            Exceptions = exceptions;
            Breadcrumbs = breadcrumbs;
            Tags = tags;
            User = user;
            Contexts = contexts;
            Extra = extra;
            Request = request;
            Sdk = sdk;
            FailingFrame = FindFailingFrame(exceptions);
        }

        public string EventId { get; }
        public string? IssueId { get; }
        public string? ProjectId { get; }
        public DateTimeOffset? DateCreated { get; }
        public string? Title { get; }
        public string? Message { get; }
        public string? Platform { get; }
        public string? Release { get; }
        /// <summary>From the event's tags: Sentry has no top-level environment field on events.</summary>
        public string? Environment { get; }
        public string? Transaction { get; }
        /// <summary>Chained exceptions as Sentry lists them; the one actually raised is last.</summary>
        public IReadOnlyList<SentryExceptionInfo> Exceptions { get; }
        /// <summary>The innermost in-app frame of the raised exception: where the application failed.</summary>
        public SentryFrame? FailingFrame { get; }
        /// <summary>Oldest first.</summary>
        public IReadOnlyList<SentryBreadcrumb> Breadcrumbs { get; }
        public IReadOnlyDictionary<string, string> Tags { get; }
        public SentryUser? User { get; }
        /// <summary>Contexts by name (os, browser, device, runtime, trace, ...), each flattened to text values.</summary>
        public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Contexts { get; }
        /// <summary>The event's extra data (Sentry's legacy "context"), flattened to text.</summary>
        public IReadOnlyDictionary<string, string> Extra { get; }
        public SentryRequestInfo? Request { get; }
        public SentrySdkInfo? Sdk { get; }

        public override string ToString() => EventId;

        private static SentryFrame? FindFailingFrame(IReadOnlyList<SentryExceptionInfo> exceptions)
        {
            // Frames are oldest first, so the innermost frame is the last; prefer the raised (last) exception.
            foreach (SentryExceptionInfo exception in exceptions.Reverse())
            {
                SentryFrame? frame = exception.Frames.LastOrDefault(f => f.InApp);
                if (frame != null) return frame;
            }

            return null;
        }
    }

    public sealed class SentryExceptionInfo
    {
        public SentryExceptionInfo(string? type, string? value, string? module, bool? handled, string? mechanism, IReadOnlyList<SentryFrame> frames)
        {
            Type = type;
            Value = value;
            Module = module;
            Handled = handled;
            Mechanism = mechanism;
            Frames = frames;
        }

        public string? Type { get; }
        public string? Value { get; }
        public string? Module { get; }
        /// <summary>False for an unhandled exception; null when the SDK did not say.</summary>
        public bool? Handled { get; }
        public string? Mechanism { get; }
        /// <summary>Oldest first; the crashing frame is last.</summary>
        public IReadOnlyList<SentryFrame> Frames { get; }

        public override string ToString() => string.IsNullOrEmpty(Value) ? Type ?? string.Empty : $"{Type}: {Value}";
    }

    public sealed class SentryFrame
    {
        public SentryFrame(string? function, string? module, string? fileName, string? absolutePath, int? lineNo, int? colNo, bool inApp, string? contextLine)
        {
            Function = function;
            Module = module;
            FileName = fileName;
            AbsolutePath = absolutePath;
            LineNo = lineNo;
            ColNo = colNo;
            InApp = inApp;
            ContextLine = contextLine;
        }

        public string? Function { get; }
        public string? Module { get; }
        public string? FileName { get; }
        public string? AbsolutePath { get; }
        public int? LineNo { get; }
        public int? ColNo { get; }
        public bool InApp { get; }
        /// <summary>The source line of the frame, when Sentry has the source.</summary>
        public string? ContextLine { get; }

        public override string ToString() =>
            $"{Function ?? "?"} in {FileName ?? Module ?? AbsolutePath ?? "?"}" + (LineNo is int line ? $":{line}" + (ColNo is int col ? $":{col}" : string.Empty) : string.Empty);
    }

    public sealed class SentryBreadcrumb
    {
        public SentryBreadcrumb(DateTimeOffset? timestamp, string? type, string? category, string? level, string? message, IReadOnlyDictionary<string, string> data)
        {
            Timestamp = timestamp;
            Type = type;
            Category = category;
            Level = level;
            Message = message;
            Data = data;
        }

        public DateTimeOffset? Timestamp { get; }
        public string? Type { get; }
        public string? Category { get; }
        public string? Level { get; }
        public string? Message { get; }
        /// <summary>For http breadcrumbs: url, method, status_code, ...</summary>
        public IReadOnlyDictionary<string, string> Data { get; }

        public override string ToString() => $"[{Category ?? Type}] {Message ?? string.Join(" ", Data.Select(d => d.Key + "=" + d.Value))}";
    }

    public sealed class SentryUser
    {
        public SentryUser(string? id, string? email, string? username, string? ipAddress, string? name)
        {
            Id = id;
            Email = email;
            Username = username;
            IpAddress = ipAddress;
            Name = name;
        }

        public string? Id { get; }
        public string? Email { get; }
        public string? Username { get; }
        public string? IpAddress { get; }
        public string? Name { get; }

        public override string ToString() => Email ?? Username ?? Id ?? IpAddress ?? string.Empty;
    }

    public sealed class SentryRequestInfo
    {
        public SentryRequestInfo(string? url, string? method, string? data)
        {
            Url = url;
            Method = method;
            Data = data;
        }

        public string? Url { get; }
        public string? Method { get; }
        /// <summary>The request body Sentry kept, as text.</summary>
        public string? Data { get; }

        public override string ToString() => $"{Method} {Url}";
    }

    public sealed class SentrySdkInfo
    {
        public SentrySdkInfo(string? name, string? version)
        {
            Name = name;
            Version = version;
        }

        public string? Name { get; }
        public string? Version { get; }

        public override string ToString() => $"{Name} {Version}".Trim();
    }
}
