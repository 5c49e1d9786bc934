"""English, for staff who choose it (STAFFBOT_LANGUAGE=en or per staff member)."""

TEXTS: dict[str, str] = {
    "error.generic": "Sorry, something went wrong. Please try again.",
    "error.flow_invalid": "Flow {flow} is invalid: {problem}",
    "error.unknown_action": 'Action "{action}" does not exist at step {step}.',
    "error.wrong_step": 'The case is at step {current}; action "{action}" does not apply there.',
    "error.case_closed": "Case {case} is already closed.",
    "error.not_your_role": "Step {step} belongs to {role}; {actor} does not hold that role.",
    "error.assigned_to_other": "This task was taken by {assignee}.",
    "error.reason_required": "This action needs a reason (at least 3 letters).",
    "error.pin_required": "This action needs the signing PIN.",
    "error.attachment_required": "Attach the result document first.",
    "error.batch_only": "This action works on a set of cases at once (Berita Acara).",
    "error.already_done": "Already done by {actor} at {at}.",
    "error.auth": "Not allowed: {reason}",
    "error.pin_wrong": "Wrong PIN. Tries left: {left}.",
    "error.pin_locked": "Signing is locked until {until} after repeated wrong PINs.",
    "error.pin_not_set": "No signing PIN is set for {name}.",
    "error.conflict": "The data changed at the same time; please try again.",
    "error.config": "Configuration error: {problem}",
    "error.sign_refused": "Signature refused: {problem}",
    "error.sign_unknown": "Signing outcome unknown ({problem}). The case is flagged for a "
    "manual check; do not retry before it is checked.",
    "error.staff_exists": "A staff member with NIP {nip} already exists.",
    "error.unknown_role": 'Unknown role "{role}".',
    "error.ba_mixed": "One Berita Acara covers one kecamatan; the selection has {kecamatan}.",
    "error.ba_empty": "Pick at least one case for the Berita Acara.",
    "error.manual_check": "Case {case} awaits a manual check of its signature.",
    "invalid.nama.empty": "The applicant's name is required.",
    "invalid.nama.length": "The applicant's name is too long (at most {max} letters).",
    "invalid.nama.characters": "The applicant's name may hold letters and usual punctuation only.",
    "invalid.nik.format": "The NIK must be 16 digits.",
    "invalid.nik.province": "Invalid NIK: province code {code} is unknown.",
    "invalid.nik.region": "Invalid NIK: region code {code} is incomplete.",
    "invalid.nik.birthdate": "Invalid NIK: digits 7–12 ({digits}) are not a valid birth date.",
    "invalid.nik.sequence": "Invalid NIK: the last 4 digits cannot be 0000.",
    "invalid.phone.format": "Invalid WhatsApp number: use an Indonesian mobile number, e.g. "
    "0812 3456 7890.",
    "invalid.kecamatan.unknown": 'Unknown kecamatan "{value}". Choose one of the {count}: '
    "{choices}.",
    "invalid.layanan.unknown": 'Unknown service "{value}". Choices: {choices}.',
    "invalid.pangkat.length": "The rank/grade is too long (at most {max} letters).",
    "invalid.jabatan.length": "The position is too long (at most {max} letters).",
    "invalid.desa.length": "The village name is too long (at most {max} letters).",
    "invalid.keluhan.length": "The complaint is too long (at most {max} letters).",
    "invalid.role.unknown": 'Unknown role "{value}". Choices: {choices}.',
    "invalid.nip.format": "The NIP must be 18 digits (spaces allowed).",
    "invalid.pin.format": "The PIN must be 6 digits.",
    "invalid.telegram.format": "The Telegram id must be a number.",
    "invalid.staff.unknown": "No staff member with NIP {value}.",
    "invalid.case.unknown": 'Case "{value}" not found.',
    "invalid.cards.unknown": 'Card choice "{value}" is unknown. Choices: each (one per document), digest.',
    "invalid.channel.unknown": 'Unknown channel "{value}". Choices: {choices}.',
    "invalid.delegate.self": "A staff member cannot be their own delegate.",
    "invalid.delegate.roles": "Delegate {name} does not hold role(s) {roles} and cannot stand in.",
    "invalid.attachment.missing": "Attachment {value} not found.",
    "warn.nik_outside": "Note: the NIK is registered outside Kabupaten Tanggamus (region "
    "{regency}). The case is recorded and flagged.",
    "card.case": "Case {number}",
    "card.step": "Step {no} · {title}",
    "card.applicant": "Applicant: {name} · NIK {nik}",
    "card.phone": "WhatsApp: {phone}",
    "card.place": "Kecamatan: {kecamatan} · Service: {layanan}",
    "card.keluhan": "Complaint: {keluhan}",
    "card.registration": "Registration no.: {number}",
    "card.due": "Due: {due}",
    "card.paused": "Waiting for the applicant's files (clock stopped)",
    "card.last": "Before: {outcome} by {actor}, {at}",
    "card.reason": "Reason: {reason}",
    "card.flag_outside": "⚠ NIK from outside Kabupaten Tanggamus",
    "card.flag_manual": "⚠ Awaiting a manual check of the signature",
    "card.outcome": "✔ {outcome} by {actor}, {at}",
    "card.outcome_back": "✖ {outcome} by {actor}, {at}",
    "card.on_behalf": " (for {name})",
    "card.ba": "Berita Acara {number}",
    "card.ba_place": "UPT Kecamatan {kecamatan} · {count} files",
    "card.ba_cases": "Cases: {numbers}",
}
TEXTS.update(
    {
        "invalid.file.empty": "The file is empty.",
        "invalid.file.size": "The file is too large (at most {max} MB).",
        "invalid.file.type": "File type not accepted: send a photo (JPG/PNG) or a PDF.",
        "invalid.file.broken_pdf": "The PDF is broken or cannot be opened.",
        "invalid.file.broken_image": "The photo is broken or cannot be opened.",
        "invalid.file.path": "Invalid file location.",
        "invalid.ba.empty": "Pick at least one case for the Berita Acara.",
    }
)
TEXTS.update(
    {
        "chat.unknown_user": "Sorry, this account is not registered as Disdukcapil Tanggamus "
        "staff. Ask the admin for an invitation link.",
        "chat.token_unknown": "This button is unknown or not meant for you.",
        "chat.token_stale": "This button is no longer valid.",
        "chat.welcome": "Welcome, {name}.\nRoles: {roles}.\nCommands: /tugas (my tasks), /cari "
        "(search), /batal (cancel form), /bantuan (help).",
        "chat.help": "Commands:\n/tugas – your tasks\n/cari &lt;case number | NIK | WhatsApp "
        "number&gt; – find a case\n/kasus &lt;case number&gt; – open a case\n"
        "/berkas &lt;case number&gt; – send the applicant's files to this chat\n/ambil &lt;case number&gt; – take that case's task (colleagues "
        "no longer process it)\n/baru – record a new complaint (call center)\n"
        "/ba – make a Berita Acara (Kasi Inovasi)\n/laporan – this month's rekap and Mutu Baku (Kasi and above)\n"
        "/ringkasan – task cards one by one or one digest\n"
        "/kirimulang &lt;case number&gt; – send the applicant the documents that did not arrive\n/batal – cancel the form in "
        "progress\n/bantuan – this message",
        "prompt.chosen": "✔ Chosen: {choice}",
        "prompt.answered": "✔ {answer}",
        "prompt.next_page": "› next page",
        "prompt.saved": "✔ Saved: {number}",
        "prompt.cancelled": "✖ Cancelled",
        "prompt.ba_made": "✔ BA made: {number}",
        "prompt.surat_made": "✔ Reply letter made",
        "prompt.already_taken": "This choice was already taken.",
        "prompt.already_saved": "Already saved.",
        "chat.still_waiting_reason": "Still waiting for the reason for {number}.",
        "chat.still_waiting_pin": "Still waiting for the PIN for {number}.",
        "chat.still_waiting_attachment": "Still waiting for the result document for {number}.",
        "digest.to_sign": "✍ {count} documents waiting for your signature",
        "digest.tasks": "📋 {count} tasks waiting for you ({signing} to sign)",
        "digest.line": "• {number} · Step {sop_no} · {kecamatan}",
        "digest.more": "… and {count} more",
        "digest.empty": "✔ Nothing is waiting.",
        "digest.pick": "✍ Sign ({count})",
        "digest.list": "📋 Task list",
        "pick.title": 'Documents to sign: {chosen} of {count}. Press a document to leave it out or put it back (or type e.g. "except 3 7"), then Sign.',
        "pick.line_in": "{i}. ✅ {number} · {kecamatan}",
        "pick.line_out": "{i}. ⬜ {number} · {kecamatan} (not now)",
        "pick.sign": "Sign",
        "pick.cancel": "Cancel",
        "pick.chosen": "✔ {chosen} documents chosen",
        "pick.none": "No document is chosen.",
        "pick.nothing": "No document is waiting for your signature.",
        "pick.ask_pin": "Type your PIN to sign {count} documents: {numbers}",
        "cards.now_each": "Your task cards: one card per document.",
        "cards.now_digest": "Your task cards: a digest (one message, updated in office hours, not a card per document).",
        "cards.each": "One per document",
        "cards.digest": "Digest",
        "chat.cancelled": "Form cancelled.",
        "chat.nothing_to_cancel": "No form in progress.",
        "chat.no_tasks": "No tasks waiting for you. 👍",
        "chat.tasks_title": "Your tasks ({count}):",
        "chat.task_line": "{i}. {number} · step {sop_no} · {kecamatan} · {due}",
        "chat.open": "Open {number}",
        "chat.search_usage": "Type: /cari &lt;case number, NIK or WhatsApp number&gt;",
        "chat.search_none": "No matching case.",
        "chat.search_title": "Search results ({count}):",
        "chat.search_line": "{number} · {name} · NIK {nik} · {kecamatan} · step {sop_no} · {status}",
        "case.status.open": "in progress",
        "case.status.closed": "completed",
        "chat.ask_reason": "Type the reason for <b>{outcome}</b> on case {number} (or /batal):",
        "chat.ask_pin": "Enter your signing PIN (6 digits) for {what} (or /batal). The message "
        "with the PIN will be deleted.",
        "chat.ask_pin_many": "Enter your signing PIN (6 digits) to sign {count} documents at once "
        "(or /batal). The message with the PIN will be deleted.",
        "chat.ask_attachment": 'Send the result PDF for case {number}, or press "Make reply '
        'letter" (or /batal).',
        "chat.make_surat": "Make reply letter",
        "chat.sign_all": "✍ Sign all ({count})",
        "chat.pin_not_deleted": "WhatsApp does not let bots delete messages: delete your PIN "
        "message yourself once it is sent.",
        "chat.done": "✔ {outcome}: {number}",
        "chat.toast_prompt": "See the next message",
        "chat.not_allowed": "This command is not for your role.",
        "chat.unknown_text": "Message not understood. Type /bantuan for the commands.",
        "chat.file_not_expected": "Files are accepted only when asked for (e.g. Submit for "
        "signature).",
        "chat.menu_new_case": "📝 Record complaint",
        "chat.menu_tasks": "📋 My tasks",
        "chat.menu_ba": "🗂 Make BA",
        "chat.report_rekap": "📊 Files per kecamatan {start} to {end}",
        "chat.report_mutu": "📈 Mutu Baku report {start} to {end}",
        "form.ask_name": "New complaint (1/6). Applicant's full name?",
        "form.ask_nik": "(2/6) Applicant's NIK (16 digits)?",
        "form.ask_wa": "(3/6) Applicant's WhatsApp number?",
        "form.ask_kecamatan": "(4/6) Applicant's kecamatan? Pick or type it.",
        "form.ask_layanan": "(5/6) Service? Pick or type it.",
        "form.ask_keluhan": "(6/6) Short complaint/request (or press Skip).",
        "form.skip": "Skip",
        "form.more": "Next ›",
        "form.confirm": "Check the complaint:\nName: {name}\nNIK: {nik}\nWhatsApp: {wa}\n"
        "Kecamatan: {kecamatan}\nService: {layanan}\nComplaint: {keluhan}",
        "form.save": "Save",
        "form.cancel": "Cancel",
        "form.edit": "Edit",
        "form.which": "Which answer do you want to change?",
        "form.confirm_help": 'Nothing was saved and your answers are kept. Press Save to save, Edit to correct one answer (or type e.g. "edit nik"), or Cancel.',
        "form.field_name": "Name",
        "form.field_nik": "NIK",
        "form.field_wa": "WhatsApp number",
        "form.field_kecamatan": "Kecamatan",
        "form.field_layanan": "Service",
        "form.field_keluhan": "Complaint",
        "form.saved": "✔ Complaint recorded: <b>{number}</b>. The applicant was told over "
        "WhatsApp to send the files.",
        "ba.none_waiting": "No cases are waiting for a Berita Acara.",
        "ba.pick_place": "Cases waiting for a Berita Acara per kecamatan. Pick one:",
        "ba.place_choice": "{kecamatan} ({count})",
        "ba.pick_cases": 'Kecamatan {kecamatan}: {count} cases waiting.\n{lines}\nPress "All" or '
        "reply with their numbers (e.g. 1,3,4).",
        "ba.all": "All ({count})",
        "ba.pick_invalid": "Unknown numbers. Reply e.g.: 1,3",
        "ba.made": "✔ Berita Acara {number} made ({count} cases, Kecamatan {kecamatan}). Waiting "
        "for the Head of Office's signature.",
        "card.files": "📎 Files from the applicant: {count} ({names})",
    }
)
TEXTS.update(
    {
        "security.pin_locked_alert": "⚠ <b>Signing locked for {name}</b>\n{count} wrong PINs "
        "in a row; signing is locked until {until}. If it was not {name} trying, call them: "
        "their phone may be in someone else's hands.",
        "security.pin_unexpected": "No signature is waiting for a PIN; your message was "
        "deleted. Press Sign first, then send the PIN.",
    }
)
TEXTS["error.backup"] = "Backup/restore failed: {problem}"
TEXTS.update(
    {
        "invalid.outbox.unknown": "Outgoing message {value} does not exist.",
        "invalid.outbox.not_failed": "Outgoing message {value} is {status}, not failed: only failed messages can be sent again.",
    }
)
TEXTS.update(
    {
        "error.already_claimed": "This task was already taken by {name} at {at}.",
        "error.not_claimable": "Step {step} cannot be taken: this case has no open task.",
        "claim.done": "✔ Case {number} (step {no}) is now yours; colleagues can no longer process it.",
        "claim.already_yours": "Case {number} is already yours.",
        "claim.usage": "Write: /ambil <case number>",
        "card.claimed": "👤 Taken by {name}, {at}",
    }
)

# -- the case and its files one tap away (issue 17) ------------------------------------
TEXTS.update(
    {
        "card.look": "👁 View only: the task is with the step's holders.",
        "card.status": "Status: {status}",
        "card.documents": "📎 Files: {names}",
        "card.files_button": "📎 Open files ({count})",
        "card.files_none": "📎 Applicant's files",
        "chat.case_usage": "Type: /kasus <case number>",
        "chat.files_usage": "Type: /berkas <case number>",
        "chat.case_not_allowed": "Case {number} has not reached your role, so it cannot be opened yet. "
        "Nothing was changed.",
        "chat.files_none": "Case {number} has no files yet.",
        "chat.file_caption": "📎 {number}: {filename}",
    }
)
TEXTS.update(
    {
        # -- sending the applicant's documents again (/kirimulang, `case resend`) -----------
        "invalid.resend.not_allowed": "Only whoever sent them, the PDF sender or the Kasi "
        "Inovasi may send the documents of case {value} again.",
        "invalid.resend.not_a_case": "{value} is not a case number: what goes to the "
        "applicant again is a case's documents.",
    }
)

# -- signed outputs that reach people; uploads signed already (issue 13) ---------------
TEXTS.update(
    {
        "card.note": "Note: {reason}",
        "card.signed_document": "📄 Signed document: {filename}",
        "ba.signed_to_maker": "🗂 Berita Acara {number} was signed by {signer}, {at} "
        "(UPT Kecamatan {kecamatan}, {count} files). The signed PDF is attached.",
        "ba.signed_to_upt": "🗂 Berita Acara {number}: {count} files handed over to the UPT "
        "Disdukcapil Kecamatan {kecamatan}, signed electronically by {signer}, {at}. The "
        "signed PDF is attached.",
        "presigned.button": "Confirm SIAK TTE",
        "presigned.card": "🔏 This document was already signed electronically (SIAK) by "
        "{signer}, {at}. {trust} It is not signed again: press «{button}» to record it, no "
        "PIN needed.",
        "presigned.trusted": "Its certificate is known.",
        "presigned.untrusted": "⚠ Its certificate's issuer is unknown to the bot: make sure "
        "you signed it.",
        "presigned.note": "signed in SIAK ({signer})",
    }
)
