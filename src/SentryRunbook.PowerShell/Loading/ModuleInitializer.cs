using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Reflection;

namespace SentryRunbook.PowerShell.Loading
{
    /// <summary>
    /// Keeps the module's third-party assemblies (the client, Polly, System.Text.Json and their support
    /// DLLs, all in <c>dependencies/</c>) from clashing with other modules' copies.
    /// On PowerShell 7 they load into one private AssemblyLoadContext, created by reflection because the
    /// module targets netstandard2.0; on Windows PowerShell 5.1 they load with LoadFrom by simple name.
    /// Types PowerShell sees live in SentryRunbook.Core, which stays in the default context.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        private static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "dependencies");
        private static readonly object Gate = new object();
        private static Dictionary<string, string>? _dependencies;
        private static PrivateLoadContext? _loadContext;
        private static bool _hooked;

        public void OnImport()
        {
            lock (Gate)
            {
                if (_hooked) return;

                // Created once per process: a re-import after Remove-Module reuses the assemblies already loaded.
                if (_dependencies is null)
                {
                    _dependencies = Directory.Exists(DependencyDirectory)
                        ? Directory.EnumerateFiles(DependencyDirectory, "*.dll").ToDictionary(Path.GetFileNameWithoutExtension, p => p, StringComparer.OrdinalIgnoreCase)
                        : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    _loadContext = PrivateLoadContext.TryCreate("SentryRunbook", _dependencies);
                    if (_loadContext is null) EnableTls12();
                }

                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                _hooked = true;
            }
        }

        /// <summary>
        /// Windows PowerShell 5.1 is a legacy-targeting host: unless the machine opts in, .NET Framework offers
        /// only SSL3/TLS 1.0 and sentry.io refuses the handshake. Add TLS 1.2 without removing what is allowed.
        /// </summary>
        private static void EnableTls12()
        {
#pragma warning disable CA5364, CA5386 // adding TLS 1.2 to the legacy defaults, not pinning a version
            if (ServicePointManager.SecurityProtocol != 0)
            {
                ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
            }
#pragma warning restore CA5364, CA5386
        }

        public void OnRemove(PSModuleInfo module)
        {
            lock (Gate)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                _hooked = false;
            }
        }

        private static bool IsOurs(Assembly assembly)
        {
            string location;
            try
            {
                location = assembly.Location;
            }
            catch (NotSupportedException)
            {
                return false; // dynamic assemblies have no location
            }

            return !string.IsNullOrEmpty(location)
                && location.StartsWith(ModuleDirectory + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The private load context's name on PowerShell 7 (null on 5.1); tests use it to prove isolation.</summary>
        public static string? LoadContextName => _loadContext?.Name;

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            string? name = new AssemblyName(args.Name).Name;
            if (name is null) return null;

            // Answer only for this module's own assemblies, so another module's failed bind never gets our copies.
            // .NET Framework may not say who asked; then the name alone decides.
            if (args.RequestingAssembly != null && !IsOurs(args.RequestingAssembly)) return null;

            // Core is in the module folder and must be the one copy both the cmdlets and the client see.
            string local = Path.Combine(ModuleDirectory, name + ".dll");
            if (File.Exists(local) && name.StartsWith("SentryRunbook.", StringComparison.Ordinal))
            {
                return Assembly.LoadFrom(local);
            }

            Dictionary<string, string>? dependencies = _dependencies;
            if (dependencies is null || !dependencies.TryGetValue(name, out string? path)) return null;

            return _loadContext != null ? _loadContext.Load(name) : Assembly.LoadFrom(path);
        }
    }

    /// <summary>
    /// A private System.Runtime.Loader.AssemblyLoadContext driven by reflection. Every dependency the
    /// runtime itself does not provide is loaded into it up front, so a same-named assembly that another
    /// module loaded earlier (say an older Polly.Core) is never picked up by the runtime's fallback to
    /// the default context.
    /// </summary>
    internal sealed class PrivateLoadContext
    {
        private readonly object _context;
        private readonly MethodInfo _loadFromPath;
        private readonly Dictionary<string, string> _paths;
        private readonly Dictionary<string, Assembly> _loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        private PrivateLoadContext(string name, Type type, Dictionary<string, string> paths)
        {
            Name = name;
            _paths = paths;
            ConstructorInfo constructor = type.GetConstructor(new[] { typeof(string), typeof(bool) })
                ?? throw new InvalidOperationException("AssemblyLoadContext(string, bool) is missing.");
            _context = constructor.Invoke(new object[] { name, false });
            _loadFromPath = type.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })
                ?? throw new InvalidOperationException("AssemblyLoadContext.LoadFromAssemblyPath is missing.");

            HashSet<string> platform = PlatformAssemblyNames();
            foreach (string dependency in paths.Keys.Where(n => !platform.Contains(n)).ToList())
            {
                Load(dependency);
            }
        }

        public string Name { get; }

        public static PrivateLoadContext? TryCreate(string name, Dictionary<string, string> paths)
        {
            Type? type = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            return type is null ? null : new PrivateLoadContext(name, type, paths);
        }

        public Assembly? Load(string simpleName)
        {
            lock (_loaded)
            {
                if (_loaded.TryGetValue(simpleName, out Assembly? assembly)) return assembly;
                if (!_paths.TryGetValue(simpleName, out string? path)) return null;
                assembly = (Assembly)_loadFromPath.Invoke(_context, new object[] { path })!;
                _loaded[simpleName] = assembly;
                return assembly;
            }
        }

        /// <summary>
        /// Assemblies the runtime ships (System.Memory, System.Text.Json, ...): its own copies are newer
        /// than our netstandard2.0 ones and are shared by everything, so those are left to it.
        /// </summary>
        private static HashSet<string> PlatformAssemblyNames()
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
            {
                foreach (string path in list.Split(Path.PathSeparator))
                {
                    names.Add(Path.GetFileNameWithoutExtension(path));
                }
            }

            return names;
        }
    }
}
