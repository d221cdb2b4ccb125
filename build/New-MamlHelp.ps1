<#
.SYNOPSIS
    Writes the module's MAML help from docs/help/*.md and the cmdlets' own metadata.

.DESCRIPTION
    platyPS is not available here, so this does its core job: the prose (synopsis, description,
    examples, parameter descriptions, inputs, outputs, notes, links) comes from the markdown in
    docs/help/, and the syntax and parameter facts (type, position, pipeline input, aliases) come from
    the compiled cmdlets, so the two cannot drift apart. The result is checked in at
    module/en-US/SentryRunbook.PowerShell.dll-Help.xml; a Pester test fails when it is stale.

.EXAMPLE
    dotnet pwsh ./build/New-MamlHelp.ps1 -ModulePath ./out/SentryRunbook/SentryRunbook.psd1 -OutputPath ./module/en-US/SentryRunbook.PowerShell.dll-Help.xml
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $DocsPath = (Join-Path $PSScriptRoot '../docs/help')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Read-HelpMarkdown {
    # Splits a platyPS-style markdown file into its ## sections and their ### subsections.
    param([string] $Path)
    $sections = [ordered]@{}
    $current = $null
    $sub = $null
    $inFence = $false
    foreach ($line in (Get-Content -Path $Path)) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') {
            $current = [ordered]@{ Text = [System.Collections.Generic.List[string]]::new(); Subsections = [ordered]@{} }
            $sections[$Matches[1].Trim()] = $current
            $sub = $null
            continue
        }
        if (-not $inFence -and $line -match '^### (.+)$' -and $null -ne $current) {
            $sub = [System.Collections.Generic.List[string]]::new()
            $current.Subsections[$Matches[1].Trim()] = $sub
            continue
        }
        if ($null -ne $sub) { $sub.Add($line) } elseif ($null -ne $current) { $current.Text.Add($line) }
    }
    return $sections
}

function Split-Paragraphs {
    param([string[]] $Lines)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $Lines + '') {
        if ($line.Trim() -eq '') {
            if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ').Trim()); $buffer.Clear() }
        }
        else { $buffer.Add($line.Trim()) }
    }
    return , $paragraphs
}

function Write-Paragraphs {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Lines)
    $Writer.WriteStartElement('maml', 'description', $maml)
    foreach ($paragraph in (Split-Paragraphs $Lines)) { $Writer.WriteElementString('maml', 'para', $maml, $paragraph) }
    $Writer.WriteEndElement()
}

function Get-TypeName {
    param([type] $Type)
    if ($Type -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    return $Type.Name
}

function Get-PipelineText {
    param($Attribute)
    $kinds = @()
    if ($Attribute.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($Attribute.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($kinds) { return "True ($($kinds -join ', '))" } else { return 'False' }
}

function Write-Parameter {
    param([System.Xml.XmlWriter] $Writer, $Parameter, $Attribute, [string[]] $Description)
    $Writer.WriteStartElement('command', 'parameter', $command)
    $Writer.WriteAttributeString('required', ([string]$Attribute.Mandatory).ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ([string]$Parameter.ParameterType.IsArray).ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', 'false')
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineText $Attribute))
    $Writer.WriteAttributeString('position', $(if ($Attribute.Position -ge 0) { [string]$Attribute.Position } else { 'named' }))
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $maml, $Parameter.Name)
    Write-Paragraphs $Writer $Description
    $typeName = Get-TypeName $Parameter.ParameterType
    if ($typeName -ne 'SwitchParameter') {
        $Writer.WriteStartElement('command', 'parameterValue', $command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', ([string]$Parameter.ParameterType.IsArray).ToLowerInvariant())
        $Writer.WriteString($typeName)
        $Writer.WriteEndElement()
    }
    $validateSet = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($validateSet) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $command)
        foreach ($value in $validateSet.ValidValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $dev)
    $Writer.WriteElementString('maml', 'name', $maml, $Parameter.ParameterType.FullName)
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $dev, 'None')
    $Writer.WriteEndElement()
}

Import-Module $ModulePath -Force
$module = Get-Module SentryRunbook
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"
$stream = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($stream, $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')

foreach ($cmdlet in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $docPath = Join-Path $DocsPath "$($cmdlet.Name).md"
    if (-not (Test-Path $docPath)) { throw "No help source for $($cmdlet.Name): $docPath" }
    $doc = Read-HelpMarkdown $docPath
    foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS') {
        if (-not $doc.Contains($required)) { throw "$docPath has no '## $required' section." }
    }
    $parameterDocs = $doc['PARAMETERS'].Subsections

    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)

    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('command', 'name', $command, $cmdlet.Name)
    $writer.WriteElementString('command', 'verb', $command, $cmdlet.Verb)
    $writer.WriteElementString('command', 'noun', $command, $cmdlet.Noun)
    Write-Paragraphs $writer $doc['SYNOPSIS'].Text
    $writer.WriteEndElement()

    Write-Paragraphs $writer $doc['DESCRIPTION'].Text

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmdlet.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('maml', 'name', $maml, $cmdlet.Name)
        $ordered = $set.Parameters | Where-Object { $_.Name -notin $common } |
            Sort-Object @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ Expression = { -not $_.IsMandatory } }, Name
        foreach ($p in $ordered) {
            $meta = $cmdlet.Parameters[$p.Name]
            $attribute = [pscustomobject]@{ Mandatory = $p.IsMandatory; Position = $p.Position; ValueFromPipeline = $p.ValueFromPipeline; ValueFromPipelineByPropertyName = $p.ValueFromPipelineByPropertyName }
            $text = if ($parameterDocs.Contains("-$($p.Name)")) { $parameterDocs["-$($p.Name)"] } else { throw "$docPath does not describe -$($p.Name)." }
            Write-Parameter $writer $meta $attribute $text
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($name in ($cmdlet.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)) {
        $meta = $cmdlet.Parameters[$name]
        $attributes = @($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $attribute = [pscustomobject]@{
            Mandatory                       = [bool]($attributes | Where-Object Mandatory)
            Position                        = ($attributes | ForEach-Object Position | Sort-Object -Descending | Select-Object -First 1)
            ValueFromPipeline               = [bool]($attributes | Where-Object ValueFromPipeline)
            ValueFromPipelineByPropertyName = [bool]($attributes | Where-Object ValueFromPipelineByPropertyName)
        }
        if ($attribute.Position -lt 0) { $attribute.Position = -1 }
        Write-Parameter $writer $meta $attribute $parameterDocs["-$name"]
    }
    $writer.WriteEndElement()

    foreach ($kind in @(@{ Section = 'INPUTS'; List = 'inputTypes'; Item = 'inputType' }, @{ Section = 'OUTPUTS'; List = 'returnValues'; Item = 'returnValue' })) {
        if (-not $doc.Contains($kind.Section)) { continue }
        $writer.WriteStartElement('command', $kind.List, $command)
        foreach ($entry in $doc[$kind.Section].Subsections.GetEnumerator()) {
            $writer.WriteStartElement('command', $kind.Item, $command)
            $writer.WriteStartElement('dev', 'type', $dev)
            $writer.WriteElementString('maml', 'name', $maml, $entry.Key)
            $writer.WriteEndElement()
            Write-Paragraphs $writer $entry.Value
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }

    if ($doc.Contains('NOTES')) {
        $writer.WriteStartElement('maml', 'alertSet', $maml)
        $writer.WriteStartElement('maml', 'alert', $maml)
        foreach ($paragraph in (Split-Paragraphs $doc['NOTES'].Text)) { $writer.WriteElementString('maml', 'para', $maml, $paragraph) }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $command)
    foreach ($example in $doc['EXAMPLES'].Subsections.GetEnumerator()) {
        $lines = [string[]]@($example.Value)
        $fences = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^```') { $i } })
        if ($fences.Count -lt 2) { throw "$docPath, '$($example.Key)': an example needs a fenced code block." }
        $writer.WriteStartElement('command', 'example', $command)
        $writer.WriteElementString('maml', 'title', $maml, "-------------------------- $($example.Key) --------------------------")
        $start, $end = $fences[0], $fences[1]
        $writer.WriteElementString('dev', 'code', $dev, ($lines[($start + 1)..($end - 1)] -join "`n"))
        $remarks = if ($end + 1 -lt $lines.Count) { $lines[($end + 1)..($lines.Count - 1)] } else { @() }
        $writer.WriteStartElement('dev', 'remarks', $dev)
        foreach ($paragraph in (Split-Paragraphs $remarks)) { $writer.WriteElementString('maml', 'para', $maml, $paragraph) }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $command)
    if ($doc.Contains('RELATED LINKS')) {
        foreach ($line in $doc['RELATED LINKS'].Text) {
            if ($line -match '^\s*[-*]?\s*\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)') {
                $writer.WriteStartElement('maml', 'navigationLink', $maml)
                $writer.WriteElementString('maml', 'linkText', $maml, $Matches.text)
                $writer.WriteElementString('maml', 'uri', $maml, $Matches.uri)
                $writer.WriteEndElement()
            }
        }
    }
    $writer.WriteEndElement()

    $writer.WriteEndElement()
}

$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Flush()
$xml = [System.Text.Encoding]::UTF8.GetString($stream.ToArray()).TrimStart([char]0xFEFF) + "`n"
$writer.Dispose()

$directory = Split-Path -Parent $OutputPath
if ($directory) { New-Item -ItemType Directory -Force -Path $directory | Out-Null }
[System.IO.File]::WriteAllText($OutputPath, $xml, [System.Text.UTF8Encoding]::new($false))
Write-Host "Help: wrote $OutputPath"
