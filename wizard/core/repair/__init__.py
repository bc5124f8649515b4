"""Repair: from what the iPhone shows, through a live check, to one most likely cause and its fix.

The user says what the phone shows (``symptoms.Symptom``) and, if known, what it uses
today (``symptoms.PhoneSettings``); the live check runs as in setup; ``answer.diagnose_repair``
puts both together. By job: ``outcomes`` turns a check report into one ``CheckOutcome``;
``table`` maps every symptom and outcome to one ``causes.Cause`` (data, refined by what
the phone uses); ``fixes`` and ``network`` word each cause, with ``steps`` on the phone's
own menus for its iOS version (from the fact registry); ``render`` prints an answer. Every
code is stable: ``repair --json`` prints them.

Typical use::

    report = await run_check(account, provider)
    answer = diagnose_repair(Symptom.CANNOT_SEND, PhoneSettings(outgoing_port=465), report, 26)
    print(answer.title, answer.action)        # and answer.steps, answer.to_json()

The package imports nothing itself, so the command line can list the symptoms
(``symptoms``) without loading the rest.
"""
