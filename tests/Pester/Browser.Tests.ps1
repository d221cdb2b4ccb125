# The HTML postmortem in a real browser: Chromium headless loads the file a responder would open, and we read
# back what it built (--dump-dom) and what it drew (--screenshot). .ci/run installs Chromium (Debian: chromium).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Chromium = @('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable') |
        ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1
    $script:Out = Join-Path (Get-RepoRoot) 'out/browser'
    New-Item -ItemType Directory -Force -Path $script:Out | Out-Null
    $script:Profile = Join-Path ([IO.Path]::GetTempPath()) "sentryrunbook-chromium-$PID"

    function script:Get-FileUrl([string] $Path) { [uri]::new('file://' + [IO.Path]::GetFullPath($Path)).AbsoluteUri }

    function script:Invoke-Chromium {
        # One headless run with a profile of its own (runs in parallel never share one); root needs --no-sandbox.
        param([string] $Url, [string[]] $Argument)
        $argv = @('--headless', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions', "--user-data-dir=$script:Profile") + $Argument + @($Url)
        if ((& id -u) -eq '0') { $argv = @('--no-sandbox') + $argv }
        $out = & $script:Chromium.Source @argv 2>$null
        if ($LASTEXITCODE -ne 0) { throw "chromium exited with $LASTEXITCODE" }
        $out -join "`n"
    }

    # Pixels of a PNG as RGBA, decoded here (no System.Drawing on Linux): IHDR, the IDAT stream, the five filters.
    if (-not ('SentryRunbookTests.Png' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.IO.Compression;
namespace SentryRunbookTests {
    public static class Png {
        public static int CountColor(string path, byte r, byte g, byte b, int tolerance, out int width, out int height) {
            byte[] file = File.ReadAllBytes(path);
            int pos = 8, bitDepth = 0, colorType = 0; width = 0; height = 0;
            var idat = new MemoryStream();
            while (pos < file.Length) {
                int length = (file[pos] << 24) | (file[pos + 1] << 16) | (file[pos + 2] << 8) | file[pos + 3];
                string type = System.Text.Encoding.ASCII.GetString(file, pos + 4, 4);
                if (type == "IHDR") {
                    width = (file[pos + 8] << 24) | (file[pos + 9] << 16) | (file[pos + 10] << 8) | file[pos + 11];
                    height = (file[pos + 12] << 24) | (file[pos + 13] << 16) | (file[pos + 14] << 8) | file[pos + 15];
                    bitDepth = file[pos + 16]; colorType = file[pos + 17];
                }
                else if (type == "IDAT") idat.Write(file, pos + 8, length);
                else if (type == "IEND") break;
                pos += 12 + length;
            }
            if (bitDepth != 8 || (colorType != 2 && colorType != 6)) throw new NotSupportedException("PNG colour type " + colorType + ", depth " + bitDepth);
            int bpp = colorType == 6 ? 4 : 3, stride = width * bpp;
            idat.Position = 0;
            var raw = new MemoryStream();
            using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
            byte[] data = raw.ToArray();
            byte[] prev = new byte[stride], line = new byte[stride];
            int count = 0;
            for (int y = 0; y < height; y++) {
                int f = data[y * (stride + 1)];
                Buffer.BlockCopy(data, y * (stride + 1) + 1, line, 0, stride);
                for (int i = 0; i < stride; i++) {
                    int a = i >= bpp ? line[i - bpp] : 0, up = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + up - c, pa = Math.Abs(p - a), pb = Math.Abs(p - up), pc = Math.Abs(p - c);
                    int pred = f == 1 ? a : f == 2 ? up : f == 3 ? (a + up) / 2 : f == 4 ? (pa <= pb && pa <= pc ? a : pb <= pc ? up : c) : 0;
                    line[i] = (byte)(line[i] + pred);
                }
                for (int x = 0; x < width; x++) {
                    int o = x * bpp;
                    if (Math.Abs(line[o] - r) <= tolerance && Math.Abs(line[o + 1] - g) <= tolerance && Math.Abs(line[o + 2] - b) <= tolerance) count++;
                }
                byte[] t = prev; prev = line; line = t;
            }
            return count;
        }
    }
}
'@
    }

    if ($script:Chromium) {
        # Hostile event text: an exception, a message and a note that would run script or inject markup if unescaped.
        $script:Hostile = @{
            Type  = '<img src=x onerror="document.title=''PWNED-type''">'
            Value = '<script>document.title=''PWNED-value''</script> [click](javascript:alert(1)) @here <b>bold</b>'
            Note  = '<svg onload="document.title=''PWNED-note''"><circle r="9"/></svg> root cause: "quotes" & <iframe src=https://evil.example>'
        }
        $scenario = @{
            seed = 3; projects = @(@{ slug = 'web' }); releases = @(@{ version = 'web@1.0.0'; project = 'web'; createdMinutesAgo = 400 })
            issues = @(@{ project = 'web'; level = 'fatal'; exception = @{ type = $script:Hostile.Type; value = $script:Hostile.Value }; fingerprint = @('hostile'); release = 'web@1.0.0'; count = 240; users = 60; startMinutesAgo = 180; endMinutesAgo = 5 })
        }
        $script:ScenarioPath = Join-Path ([IO.Path]::GetTempPath()) "browser-$([guid]::NewGuid().ToString('n')).json"
        $scenario | ConvertTo-Json -Depth 6 | Set-Content -Path $script:ScenarioPath
        $script:Sandbox = Start-TestSandbox -Scenario $script:ScenarioPath
        $s = $script:Sandbox
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
        $issue = Get-SentryIssue -Query '' -First 1
        Add-SentryIssueNote $issue.Id -Text $script:Hostile.Note | Out-Null
        $script:HtmlPath = Join-Path $script:Out 'postmortem.html'
        $script:Postmortem = New-Postmortem $issue.Id -Format Html -Path $script:HtmlPath -Force
    }
}

AfterAll {
    if ($script:Sandbox) {
        Disconnect-Sentry
        Stop-TestSandbox $script:Sandbox
        Remove-Item -LiteralPath $script:ScenarioPath -ErrorAction SilentlyContinue
    }
    Remove-Item -Recurse -Force $script:Profile -ErrorAction SilentlyContinue
}

Describe 'The HTML postmortem in Chromium headless' {
    BeforeEach {
        # Skipped, with the reason, only where no browser is installed; .ci/run installs one, so CI always runs these.
        if (-not $script:Chromium) { Set-ItResult -Skipped -Because 'no Chromium on PATH (chromium, chromium-browser or google-chrome); install it with apt-get install chromium, as .ci/run does' }
    }

    It 'runs script in a page that allows it (the probe can see a script run)' {
        if (-not $script:Chromium) { return }
        $control = Join-Path $script:Out 'control.html'
        Set-Content -Path $control -Value '<!DOCTYPE html><html><head><title>before</title></head><body><script>document.title="script ran"; document.body.appendChild(document.createElement("hr"));</script></body></html>'
        $dom = Invoke-Chromium -Url (Get-FileUrl $control) -Argument '--dump-dom'
        $dom | Should -Match '<title>script ran</title>'
        $dom | Should -Match '<hr>'
    }

    It 'renders the hostile text as text: no element, attribute or script came from it' {
        if (-not $script:Chromium) { return }
        $dom = Invoke-Chromium -Url (Get-FileUrl $script:HtmlPath) -Argument '--dump-dom'
        Set-Content -Path (Join-Path $script:Out 'postmortem.dom.html') -Value $dom
        $dom | Should -Match '<title>Incident Postmortem: '
        $dom | Should -Not -Match 'PWNED-\w+</title>' -Because 'no script changed the title'
        $dom | Should -Not -Match '<(script|img|iframe|b)[\s>]' -Because 'hostile tags stay text'
        $dom | Should -Not -Match '<[a-z]+[^>]*\son[a-z]+=' -Because 'no event handler attribute exists'
        $dom | Should -Not -Match '<circle' -Because 'the note''s SVG stays text'
        @([regex]::Matches($dom, '<svg')).Count | Should -Be 1 -Because 'the only SVG is the chart'
        # The serialiser writes < > & of text as entities: the words are there, as text.
        $dom | Should -Match ([regex]::Escape('&lt;script&gt;document.title=''PWNED-value''&lt;/script&gt;'))
        $dom | Should -Match ([regex]::Escape('&lt;img src=x onerror="document.title=''PWNED-type''"&gt;'))
        $dom | Should -Match ([regex]::Escape('&lt;svg onload="document.title=''PWNED-note''"&gt;'))
        $dom | Should -Match ([regex]::Escape('[click](javascript:alert(1))'))
        $dom | Should -Not -Match 'href="javascript' -Because 'only https links are links'
    }

    It 'draws the event-rate chart: bars in the DOM, the caption once, and the bars'' colour on screen' {
        if (-not $script:Chromium) { return }
        $dom = Invoke-Chromium -Url (Get-FileUrl $script:HtmlPath) -Argument '--dump-dom'
        $bars = [regex]::Matches($dom, '<rect class="bar"[^>]*height="(?<h>[0-9.]+)"')
        $bars.Count | Should -BeGreaterThan 2
        @($bars | Where-Object { [double]$_.Groups['h'].Value -gt 0 }).Count | Should -BeGreaterThan 0
        $caption = [regex]::Match($dom, '<figcaption>([^<]+)</figcaption>').Groups[1].Value
        $caption | Should -Match '^Events per '
        @([regex]::Matches($dom, '<figcaption>')).Count | Should -Be 1
        @([regex]::Matches($dom, [regex]::Escape($caption))).Count | Should -Be 2 -Because 'the caption is shown once, and once more as the SVG''s <desc> for screen readers'

        $png = Join-Path $script:Out 'postmortem.png'
        Remove-Item -LiteralPath $png -ErrorAction SilentlyContinue
        $null = Invoke-Chromium -Url (Get-FileUrl $script:HtmlPath) -Argument @("--screenshot=$png", '--window-size=1000,4000')
        Test-Path $png | Should -BeTrue
        $width = 0; $height = 0
        # The bars' fill, #6c5fc7: only the chart uses it.
        $barPixels = [SentryRunbookTests.Png]::CountColor($png, 0x6c, 0x5f, 0xc7, 6, [ref]$width, [ref]$height)
        $width | Should -Be 1000
        $barPixels | Should -BeGreaterThan 200 -Because 'the bars are drawn, not only present in the DOM'
    }
}
