using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SentryRunbook.Rendering
{
    /// <summary>
    /// A small, strict JSON writer for the message payloads (Core has no packages, so no System.Text.Json).
    /// Output is indented with two spaces. Strings escape <c>"</c>, <c>\</c> and every control character
    /// below U+0020, and also <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and U+2029 as <c>\uXXXX</c>, so a
    /// payload can be embedded in HTML or a script safely. A lone surrogate becomes U+FFFD.
    /// </summary>
    internal sealed class JsonWriter
    {
        private readonly StringBuilder _sb = new StringBuilder();
        // One entry per open container: true once it holds a value (so the next one needs a comma).
        private readonly Stack<bool> _open = new Stack<bool>();
        private bool _afterName;
        private readonly bool _indented;

        public JsonWriter() : this(indented: true) { }

        /// <summary>Not indented: one line, for JSON Lines files such as the incident journal.</summary>
        public JsonWriter(bool indented) => _indented = indented;

        public JsonWriter BeginObject() => Open('{');

        public JsonWriter EndObject() => Close('}');

        public JsonWriter BeginArray() => Open('[');

        public JsonWriter EndArray() => Close(']');

        public JsonWriter Name(string name)
        {
            if (_afterName || _open.Count == 0) throw new InvalidOperationException("A property name must be written inside an object.");
            Separate();
            WriteString(_sb, name);
            _sb.Append(_indented ? ": " : ":");
            _afterName = true;
            return this;
        }

        public JsonWriter String(string? value)
        {
            BeforeValue();
            if (value is null) _sb.Append("null");
            else WriteString(_sb, value);
            return this;
        }

        public JsonWriter Number(long value)
        {
            BeforeValue();
            _sb.Append(value.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        public JsonWriter Bool(bool value)
        {
            BeforeValue();
            _sb.Append(value ? "true" : "false");
            return this;
        }

        public JsonWriter Null()
        {
            BeforeValue();
            _sb.Append("null");
            return this;
        }

        /// <summary>Writes a name and a string (or null) value.</summary>
        public JsonWriter Property(string name, string? value) => Name(name).String(value);

        public override string ToString()
        {
            if (_open.Count != 0 || _afterName) throw new InvalidOperationException("The JSON document is not complete.");
            return _sb.ToString();
        }

        private JsonWriter Open(char bracket)
        {
            BeforeValue();
            _sb.Append(bracket);
            _open.Push(false);
            return this;
        }

        private JsonWriter Close(char bracket)
        {
            if (_open.Count == 0 || _afterName) throw new InvalidOperationException("Nothing to close.");
            bool hadValues = _open.Pop();
            if (hadValues) NewLine();
            _sb.Append(bracket);
            return this;
        }

        private void BeforeValue()
        {
            if (_afterName)
            {
                _afterName = false;
                return;
            }

            if (_open.Count == 0)
            {
                if (_sb.Length != 0) throw new InvalidOperationException("A JSON document has one root value.");
                return;
            }

            Separate();
        }

        private void Separate()
        {
            bool hadValues = _open.Pop();
            if (hadValues) _sb.Append(',');
            _open.Push(true);
            NewLine();
        }

        private void NewLine()
        {
            if (!_indented) return;
            _sb.Append('\n');
            _sb.Append(' ', 2 * _open.Count);
        }

        internal static void WriteString(StringBuilder sb, string value)
        {
            sb.Append('"');
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                switch (c)
                {
                    case '"':
                        sb.Append("\\\"");
                        break;
                    case '\\':
                        sb.Append("\\\\");
                        break;
                    case '\n':
                        sb.Append("\\n");
                        break;
                    case '\r':
                        sb.Append("\\r");
                        break;
                    case '\t':
                        sb.Append("\\t");
                        break;
                    case '<':
                    case '>':
                    case '&':
                    case '\u2028':
                    case '\u2029':
                        Unicode(sb, c);
                        break;
                    default:
                        if (c < 0x20)
                        {
                            Unicode(sb, c);
                        }
                        else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                        {
                            sb.Append(c).Append(value[++i]);
                        }
                        else if (char.IsSurrogate(c))
                        {
                            sb.Append('\uFFFD');
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            sb.Append('"');
        }

        private static void Unicode(StringBuilder sb, char c) => sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
    }
}
