; Inno Setup script for the Windows installer: a per-user install (no administrator rights) of the
; one-dir bundle, with a Start menu entry and an uninstaller.
;
; Built by the GitHub workflow after build_bundle.py, from the repository's root:
;   iscc /DAppVersion=X.Y.Z resources\packaging\windows\smtpgui.iss
; AppVersion comes from smtpgui/__init__.py (the workflow reads it); the installer is written to
; dist\smtpgui-X.Y.Z-setup.exe. Silent install and removal (the workflow's smoke test):
;   smtpgui-X.Y.Z-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;   "%LOCALAPPDATA%\Programs\smtpgui\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (from smtpgui/__init__.py)
#endif

#define AppName "smtpgui"
#define Root "..\..\.."

[Setup]
; The AppId names this application to Windows' uninstall list: never change it.
AppId={{6F1C2B7E-3D4A-4E8B-9C51-2A7D0F4B8E93}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=smtpgui maintainers
VersionInfoVersion={#AppVersion}
; Per user, without administrator rights: %LOCALAPPDATA%\Programs\smtpgui, the user's Start menu.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\smtpgui.exe
UninstallDisplayName={#AppName}
SetupIconFile={#Root}\resources\icons\smtpgui.ico
OutputDir={#Root}\dist
OutputBaseFilename=smtpgui-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-dir bundle: smtpgui.exe (the window), smtpgui-cli.exe (the command line), _internal\.
Source: "{#Root}\dist\smtpgui\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\smtpgui.exe"; Comment: "Manage SMTP connections and prove they work"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\smtpgui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\smtpgui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
