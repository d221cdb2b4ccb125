using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using SentryRunbook.Analysis;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>Reads -Policy: a hashtable, or a .psd1 file read as data (never run as a script).</summary>
    internal static class PolicyLoader
    {
        public static IncidentPolicy Load(PSCmdlet cmdlet, object? policy)
        {
            object? value = policy is PSObject wrapped ? wrapped.BaseObject : policy;
            if (value is null) return IncidentPolicy.Default;

            IDictionary? table = value as IDictionary;
            string? path = null;
            if (table is null)
            {
                path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(Convert.ToString(value));
                if (!File.Exists(path))
                {
                    cmdlet.ThrowTerminatingError(ErrorRecords.Input("IncidentPolicyNotFound", $"The policy file '{path}' does not exist.", "Pass the path of a .psd1 file, or a hashtable such as @{ CrashFreeRateBelow = 99 }.", value, ErrorCategory.ObjectNotFound));
                }

                table = cmdlet.InvokeCommand.InvokeScript("param($p) Import-PowerShellDataFile -LiteralPath $p", true, PipelineResultTypes.None, null, path)
                    .Select(o => o.BaseObject).OfType<IDictionary>().FirstOrDefault();
            }

            try
            {
                return IncidentPolicy.FromOverrides(Unwrap(table) as IDictionary);
            }
            catch (PolicyException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Input("IncidentPolicyInvalid", ex.Message + (path is null ? string.Empty : $" (in {path})"), "Fix or remove the setting; Get-Help Get-IncidentSeverity -Parameter Policy lists the settings.", value));
                throw;
            }
        }

        /// <summary>PowerShell wraps values in PSObject and arrays in object[]; Core wants plain .NET values.</summary>
        private static object? Unwrap(object? value)
        {
            if (value is PSObject ps) value = ps.BaseObject;
            if (value is IDictionary dictionary)
            {
                var plain = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry entry in dictionary) plain[Unwrap(entry.Key) ?? string.Empty] = Unwrap(entry.Value);
                return plain;
            }

            if (value is IEnumerable list && !(value is string))
            {
                return list.Cast<object?>().Select(Unwrap).ToArray();
            }

            return value;
        }
    }
}
