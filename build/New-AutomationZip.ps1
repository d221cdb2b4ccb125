<#
.SYNOPSIS
    Writes the .zip that Azure Automation's "Add a module" (and New-AzAutomationModule) accepts.

.DESCRIPTION
    Azure Automation wants one folder at the root of the zip, named like the module, holding the manifest
    (SentryRunbook/SentryRunbook.psd1 ...); the zip itself carries the module's name too. Entry names use '/'
    whatever the OS, and every path stays under 140 characters (Automation's limit), else this stops.
    Used by build.ps1 -Task Package and by the Pester package test, so both check the same zip.

.EXAMPLE
    ./build/New-AutomationZip.ps1 -ModulePath ./out/SentryRunbook -DestinationPath ./out/package/SentryRunbook.zip
#>
[CmdletBinding()]
param(
    # The assembled module folder (out/SentryRunbook).
    [Parameter(Mandatory)] [string] $ModulePath,

    # The zip to write; its name must be the module's name.
    [Parameter(Mandatory)] [string] $DestinationPath,

    [int] $MaxPathLength = 140
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$module = (Resolve-Path -LiteralPath $ModulePath).Path.TrimEnd('/', '\')
$name = Split-Path -Leaf $module
if (-not (Test-Path -LiteralPath (Join-Path $module "$name.psd1"))) { throw "No $name.psd1 in $($module): pass the assembled module folder (build.ps1 -Task Build)." }
if ([IO.Path]::GetFileName($DestinationPath) -ne "$name.zip") { throw "Azure Automation needs the zip named like the module: $name.zip, not $([IO.Path]::GetFileName($DestinationPath))." }

$destination = [IO.Path]::GetFullPath($DestinationPath)
New-Item -ItemType Directory -Force -Path (Split-Path $destination) | Out-Null
if (Test-Path -LiteralPath $destination) { Remove-Item -LiteralPath $destination -Force }

Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
$files = Get-ChildItem -LiteralPath $module -Recurse -File | Sort-Object FullName
$zip = [IO.Compression.ZipFile]::Open($destination, [IO.Compression.ZipArchiveMode]::Create)
try {
    foreach ($file in $files) {
        $relative = [IO.Path]::GetRelativePath($module, $file.FullName) -replace '\\', '/'
        $entry = "$name/$relative"
        if ($entry.Length -ge $MaxPathLength) { throw "'$entry' is $($entry.Length) characters; Azure Automation accepts paths under $MaxPathLength. Shorten the file or folder name." }
        $null = [IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $file.FullName, $entry, [IO.Compression.CompressionLevel]::Optimal)
    }
}
finally {
    $zip.Dispose()
}

Get-Item -LiteralPath $destination
