using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// On an id parameter that takes pipeline input by value: an incident piped in becomes its members' ids (PowerShell
    /// would otherwise bind the incident's text as one bad id, since the id parameter set is the default). The array
    /// made is remembered with the incident's id, so the cmdlet can record which incident a change was for.
    /// </summary>
    internal sealed class IncidentMembersAttribute : ArgumentTransformationAttribute
    {
        private static readonly ConditionalWeakTable<string[], string> Incidents = new ConditionalWeakTable<string[], string>();

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is object[] items && items.Length == 1) value = items[0] is PSObject p ? p.BaseObject : items[0];
            if (!(value is SentryIncident incident)) return inputData;
            string[] ids = incident.Issues.Select(i => i.Id).ToArray();
            Incidents.Add(ids, incident.Id);
            return ids;
        }

        /// <summary>The incident whose members these ids are, when they were made from one.</summary>
        public static string? IncidentOf(string[] ids) => Incidents.TryGetValue(ids, out string? id) ? id : null;
    }
}
