using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;

namespace SentryRunbook.Models
{
    /// <summary>
    /// A JSON object from Sentry as an ordered dictionary: <c>$alert.Data.event.title</c> works in PowerShell
    /// (which reads any IDictionary by key) and ConvertTo-Json writes it back in Sentry's key order.
    /// </summary>
    public sealed class SentryDataMap : OrderedDictionary, IReadOnlyDictionary<string, object?>
    {
        public SentryDataMap() : base(StringComparer.Ordinal) { }

        public void Set(string key, object? value) => this[key] = value;

        public bool ContainsKey(string key) => Contains(key);

        public bool TryGetValue(string key, out object? value)
        {
            if (Contains(key))
            {
                value = this[key];
                return true;
            }

            value = null;
            return false;
        }

        object? IReadOnlyDictionary<string, object?>.this[string key] => Contains(key) ? this[key] : throw new KeyNotFoundException(key);

        IEnumerable<string> IReadOnlyDictionary<string, object?>.Keys
        {
            get { foreach (object key in Keys) yield return (string)key; }
        }

        IEnumerable<object?> IReadOnlyDictionary<string, object?>.Values
        {
            get { foreach (object? value in Values) yield return value; }
        }

        IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator()
        {
            foreach (DictionaryEntry entry in (IDictionary)this) yield return new KeyValuePair<string, object?>((string)entry.Key, entry.Value);
        }
    }
}
