"""The patterns and cue phrases that read a person's line: high-precision rules for threats, blame,
hedges, closings and measured facts, and the stemmed cue phrases of each act. Data for
app/coach/understanding.py, which combines them with the embeddings."""

from __future__ import annotations

import re

# --- rules: high-precision patterns a keyword list cannot express ---------------------------------

# walking out, not walking someone through something
WALK = r"walk(?! (you|me|us|them|him|her|through|over|round|around|in)\b)"
WALKS = r"walk(s|ing)?(?! (you|me|us|them|him|her|through|over|round|around|in)\b)"

ULTIMATUM = re.compile(
    r"\bor (else|i'?ll|i will|i'?m)\b.{0,40}\b(leav|quit|resign|go (to|over|elsewhere)|look(ing)? (elsewhere|around)"
    r"|" + WALK + r"|escalat|take (it|this) (to|up|further)"
    r"|find (another|a new|something)|stop)"
    r"|\b(start|begin|will be|i'?ll be|am) (looking|interviewing)\b"
    r"|\blook(ing)? (elsewhere|for (another|a new|other) (job|role|position|team|company))"
    r"|\b(i'?ll|i will|i'?m going to|i am going to|i'?d have to|i will have to|i'?ll have to) "
    r"(quit|resign|leave(?! (you|it|them|that|this|the|a|an|some|half|my|our|your|him|her)\b)"
    r"|" + WALK + r"|hand in my notice"
    r"|go over your head|go to (hr|your boss|the vp|the director|legal))"
    r"|\bover your head\b|\bother offers?\b|\bcompeting offer\b|\btake it or leave it\b|\bnon-?negotiable\b"
    r"|\bfinal offer\b|\bthis is my last\b|\bi'?m done\b|\bor i'?m out\b|\bi'?m out\b"
    r"|\brecruiters?\b|\bsomewhere else\b|\b(need|have|ought) to be somewhere (that|which|where)\b"
    r"|\bwrong (team|company|place)\b|\b(the|an) offer (i'?ve|i have)\b"
    r"|\b(i'?ll|i will|i'?m going to|i'?d) (take|accept|go for) ((the|their|that|an|another|a) (\w+ )?offer(?! (of|to))"
    r"|(another|the other|that other|their|the new) job)\b"
    r"|\b(find|take|get) (one|another|something|a job|a role) (somewhere|elsewhere|else)\b"
    r"|\bno (other )?choice but\b|\breconsider (my|whether i)\b|\b(consider|weigh|explore) my options\b"
    r"|\b(can'?t|won'?t|not going to) stay\b|\bupdat(e|ing) my (cv|resume|linkedin)\b|\bheadhunter"
    r"|\b(hand|put) in my (notice|resignation)\b|\bescalate (this|it) (to|above)\b|\bor else\b"
    # (the person's move: "before you take it to the CFO" is the manager's own)
    r"|(?<!you )(?<!you'll )(?<!you'd )(?<!you rather )(?<!you want to )\b(take|taking) (this|it) (to|up with) "
    r"(hr|your boss|the (\w+ )?(vp|director|ceo|cfo|board|partners?)|legal|my lawyer)\b"
    # over their head, on a condition: "if you won't sign it off, I'll take it to Dev myself"
    r"|\b(if|unless|otherwise)\b[^.]{0,80}\b(go|going|take|taking|raise|raising)( it| this| that)? (straight )?"
    r"(to|up with|with) [\w' ]{1,40}? (myself|directly|personally)\b"
    # an offer in hand, said as leverage (not one turned down)
    r"|\b((made|given|offered) me (an|a job|a) offer|offered me (a |an |the )?(\w+ )?(job|role|position|post))\b"
    r"(?!.*\b(turned (it |them )?down|declined|said no)\b)"
    # either/or, ending in a move away: "either I make the calls or I'll ask to move to Priya's team"
    r"|\beither\b.{0,120}\bor\b.{0,80}\b(move|transfer) (over )?to (another|a different|[a-z]+'s) team\b"
    # an offer in hand, to be taken: "I have an offer from Brightwell... I'm going to accept it"
    r"|\boffer\b.{0,120}\b(i'?m going to|i will|i'?ll|i'?d have to|i have to) (accept|take) (it|the offer|their offer"
    r"|that offer|the job|them up on it)\b"
    r"|\bif (not|you don'?t|you won'?t|this doesn'?t|it doesn'?t|nothing (changes|improves))\b.{0,60}\b(leave|quit|"
    r"resign|elsewhere|walk|notice|another job|escalate|hr|(a|my) transfer)\b"
    # a walk-out the speaker is part of, on a condition: "either something changes or half of us will walk"
    r"|\b(either|if|unless|otherwise|or)\b[^.]{0,80}\b(?:(?<!none )(?<!neither )(?<!not one )of us|we)(?: all)?"
    r"(?:'ll| will| would|'d| are going to| are gonna) (?:all )?"
    r"(walk|walk out|leave|quit|resign|be gone|be out of here)\b"
    # leaving, said sideways: "I'm going unless...", "I don't see myself here by summer", talks outside
    r"|\b(i'?m|i am) (going|leaving|off|out|gone)\b[^.]{0,40}\bunless\b"
    r"|\b(don'?t|do not|can'?t|cannot) (really |honestly )?see myself (still )?(here|staying|doing (this|it)|in th)"
    r"|\b(not sure|can'?t promise) i'?ll (still )?be (here|around)\b"
    r"|\b(conversations?|talks|interviews?) (outside|elsewhere|with other)\b|\b(second|final) (round|interview)\b"
    r"|\b(find|get|hire) someone else\b|\baccept the other\b"
    # going over their head, or a record that ends up with HR
    # (a verb that carries it there: "I'll give you a summary for your boss" is an offer, not a threat)
    r"|\b(?:i(?:'ll| will|'m going to| am going to| will be)\b[^.]{0,30}\b(?:go|going|take|taking|raise|raising|"
    r"escalate|escalating|report|reporting|complain|complaining|talk|talking|speak|speaking|write|writing|copy|"
    r"copying|cc)(?![\w-])|i(?:'m| am) (?:taking|going))[^.]{0,40}(?<!for )(?<!for all of )"  # for them: an offer
    r"\b(hr|legal|the exec(utive)?( team)?|the board"
    r"|your (boss|manager|director)|above you|the (ceo|cfo|coo|cto|vp|md|owner|dean|principal))\b"
    r"|\b(go(es)?|end up|ends up|will go|going) (straight )?(to|with) (hr|legal|your (boss|director))\b"
    # whether to stay, said softly: "whether this is still the right place for me", "other firms would have me"
    r"|\b(right|wrong) (place|team|company|fit|job) for me\b"
    r"|\b(this|here|it)(?:'s| is| isn't| is not)(?: still| really)? where i (should|want to|ought to) be\b"
    r"|\bwhether i (still )?(belong|fit|want to stay|should stay)\b|\bmy (notice|resignation)\b"
    r"|\bother (companies|firms|employers|organi[sz]ations)\b[^.]{0,25}\b(would|want|pay|hire)\b",
    re.I)
# A leaving word that is denied ("I turned down a recruiter", "I'm not looking elsewhere") or someone else's
# ("one of the nurses has an interview elsewhere") is no threat: what comes just before it in its clause says.
# "before I leave each day" is the end of a working day, not of a job.
TEMPORAL_BEFORE = re.compile(r"\b(before|after|until|till|by the time|as soon as) (i|we|i'?m|we'?re)\s+$")
DENIED_BEFORE = re.compile(r"\b(not|never|no|n't|haven't|hasn't|didn't|won't|wouldn't|turned down|said no to|declined|"
                           r"ignored|refused|ruled out|than|instead of"
                           r"|i'?d have(?! to)|i would have(?! to)|would'?ve"
                           r"|if i (?:really )?(?:wanted|was going|were going|meant|was planning|were planning) to"
                           r"|if i (?:really )?(?:were|was))"  # "if I were leaving, would I be telling you?"
                           r"\s+(?:[\w']+\s+){0,3}$")
# ... or turned down just after ("a recruiter did call me last month. I turned it down").
DENIED_AFTER = re.compile(r"[^.;!?]{0,60}[.;,]?\s*(and |but )?(i )?(turned (it|them|that|him|her|the \w+) down|said no"
                          r"|hung up|declined|didn'?t take (it|them|the \w+)( further)?|didn'?t (reply|respond|answer|"
                          r"call (back|them back)|follow (it |them )?up)|ignored (it|them|him|her))\b")
# Leaving or escalating, in so many words: said by the person and not denied, it confirms what the classifier
# heard; denied ("I'm not planning to leave") or someone else's, it overrules it.
LEAVING = re.compile(r"\b(leav(e|es|ing)|quit\w*|resign\w*|elsewhere|notice|offers?|recruit\w*|interview\w*|"
                     r"agenc(y|ies)|headhunt\w*|escalat\w*|hr|over your head|i'?m (done|out)|look(ing)? around|"
                     + WALKS + r"|"
                     r"other (jobs?|roles?|options|companies|firms)|my options|consequences|or else|"
                     r"(can'?t|cannot|won'?t|not sure (i|if i) (can|will|could|should)|don'?t know (if|whether) i "
                     r"(can|will|could|should)) (\w+ ){0,2}stay)\b")
OTHERS_BEFORE = re.compile(r"\b(he|she|they|they'?re|they'?ve|they'?ll|one|someone|somebody|two|three|half|people|"
                           r"staff|colleagues?|nurses?|engineers?|members?)\b")
MINE_BEFORE = re.compile(r"\b(i|i'm|i'll|i've|i'd|me|my|of us)\b")  # "half of us will walk" is theirs too


# Reassurance that only sounds like a threat to the classifier: staying, or a promise to keep them informed.
REASSURES = re.compile(r"\b(i'?m|i am) staying\b"
                       r"|\b(want|like|plan|hope) to (stay|grow|build|keep growing) (here|in this)"
                       r"|\bmore likely to stay\b|\bno plans? to (leave|go)\b|\byou'?ll (hear|have|get|know|see)\b"
                       r"|\byou'?re the first\b|\bi'?ll (tell|let you know|flag|warn|call|message|update)\b"
                       r"|\bi'?d (come|bring it) to you\b"
                       r"|\bi'?d (much |far |really )?rather (build|grow|stay|do) (it |this |that )?here\b"
                       r"|\bi (message|tell|call|email|text|ring|warn|update) you\b"
                       r"|\b(won'?t|will not) be the last to (hear|know)\b"
                       # a counterfactual that denies it: "if I wanted out I wouldn't be telling you my plans"
                       r"|\bif i (wanted|were|was|planned|meant)\b[^.;!?]{0,40}\bi(?:'d| would)(?:n'?t| not| never)\b")
# A condition whose consequence is someone else's ("if the others had a problem, they'd tell you themselves"):
# no threat of the person's.
THEIRS = re.compile(r"\b(if|unless)\b[^.;]{0,80}?,?\s*\b(they|he|she|people|others|the others|the team)"
                    r"('d|'ll| would| will)\b")
# A condition whose consequence asks something of the manager ("if a date moves, tell me yourself rather than
# through the team", "if you put my name forward, that would do it") is a request about how to work together,
# not a threat.
REQUESTS = re.compile(r"\b(tell|let|give|show|bring|ask|call|ring|warn|loop|include|send|copy|text|email) me\b"
                      r"|\bcome (to|and find|straight to) me\b|\brather than\b|\binstead of\b"
                      r"|\bthat(?: would|'d) (do it|be enough|help|be a start)\b"
                      r"|\bwhat (i'?d|i would) (want|like|need)\b|\bwhat would help\b|\bnext time\b"
                      r"|\bwhat you could (still )?(change|do)\b")


def threatens(low: str, pattern: re.Pattern[str] = ULTIMATUM) -> bool:
    """An ultimatum by the person: an ULTIMATUM phrase (or `pattern`'s) that its clause neither denies nor gives
    to someone else."""
    for m in pattern.finditer(low):
        clause = re.split(r"[.;!?,]|\b(?:and|but|so|because)\b", low[:m.start()])[-1]
        if DENIED_BEFORE.search(clause) or TEMPORAL_BEFORE.search(clause) or DENIED_AFTER.match(low[m.end():]):
            continue
        mine_after = re.match(r"\W*(me included|including me|me too|and me)\b", low[m.end():])
        subjects = [(w.start(), "others") for w in OTHERS_BEFORE.finditer(clause)]
        subjects += [(w.start(), "mine") for w in MINE_BEFORE.finditer(clause)]
        if subjects and max(subjects)[1] == "others" and not mine_after:  # the nearest subject is someone else
            continue
        return True
    return False


BLAME = re.compile(
    r"\b(their|his|her|your|qa'?s|ops'?s|the \w+ team'?s) fault\b|\bnot my fault\b|\bblame\b|\bscrewed (it |this )?up\b"
    r"|\bmessed (it |this )?up\b|\b(useless|incompetent|lazy|clueless|idiots?|hopeless|a joke|pathetic|ridiculous|"
    r"absurd|unprofessional|pointless|a waste of (my )?time)\b"
    r"|\byou (never|always|don'?t ever|can'?t even|keep)\b(?! (have|need) to| (know|hear|see)\b)"
    r"|\b(?<!nobody )(?<!no one )(?<!never )dropped the ball\b"  # "nobody dropped the ball" denies blame
    r"|\b(their|his|her|your) problem\b|\bnot on me\b|\b(just )?an excuse\b|\bcoasting\b"
    r"|\binsult(ing|ed)?\b|\bdid you even\b|\bsat on (my|our|it|them)\b"
    r"|\b(?!(?:will|would|shall|could|you'?ll)\b)[a-z']+ never "
    r"(read|checked|listened|bothered|told|replied|responded|reviewed|tested)\b"
    r"|\b(his|her|their|your) (mistake|screw-?up|mess)\b|\bunder the bus\b|\byou don'?t (care|listen)\b"
    r"|\b(he|she|they) should(n'?t)? have\b|\b(he|she|they) should'?ve\b|\bit'?s on (them|him|her)\b"
    r"|\bbecause of (him|her|them)\b|\b(blame|fault) (lies|is) with\b|\b(sloppy|careless|lazy)\b"
    r"|\bthrew (me|us) under\b|\bwasn'?t (my|our) (job|problem|call)\b|\bbecause (they|he|she) (didn'?t|never|failed)\b"
    r"|\b(it|this|that|this one|that one)'?s (all )?(on|because of) (them|him|her|you)\b"
    r"|\bthanks to (them|him|her|you)\b"
    r"|\byou'?re the one who (should|was supposed|didn'?t|did not|never|ignored|dropped|signed|approved|promised)\b"
    r"|\byou (ignored|dump(ed)?|dodged|disappear(ed)?)\b"
    r"|\bdon'?t turn (this|it) (around )?on me\b|\bbecause of your\b(?! (support|help|advice|feedback|backing))"
    # sarcasm and pointed fingers without a name: "of course, because...", "funny how", "whoever signed off"
    r"|\b(of course|clearly|obviously|sure),? because\b|\bfunny how\b|\bwhoever (dreamt|dreamed|came|signed|"
    r"approved|decided|thought|planned)\b|\byour (planning|decision|team|side|department|management|process|call) "
    r"(created|caused|made|broke|changed|is why)\b|\bnobody (on your (side|team)|upstairs|in management)\b"
    r"|\b(is|was) never (actually )?your\b|\bit'?s always (someone|somebody)\b|\btry doing my job\b"
    r"|\banother brilliant\b|\bstrung along\b|\b(tired|sick) of being\b"
    r"|\bif you (ever|actually|even) (looked|listened|checked|read|asked)\b|\byour (job|problem|call),? not mine\b"
    r"|\bask yourself\b", re.I)
CLOSING = re.compile(
    r"^(ok(ay)?|great|perfect|brilliant|good|sounds good|deal|agreed)?[,.!]?\s*(thanks|thank you|that'?s all|"
    r"that works|sounds good|perfect|deal|great|i'?ll (send|do|get)|see you|talk (soon|then|next week)|bye)\b"
    r"[^?]{0,120}$", re.I)
NEGATION = re.compile(
    r"\b(haven'?t|have not|hasn'?t|didn'?t|did not|don'?t|do not|not) (really |yet |actually )?"
    r"(thought|figured|worked out|decided|planned|looked|considered|got|have|know|sure|checked|measured|tracked)\b"
    r"|\bno (idea|plan|clue|numbers|data)\b|\bnot sure\b|\bnot yet\b|\bsomeone will\b"
    r"|\bwe'?ll (see|figure it out)\b|\b(figure|work) (it|that) out later\b|\bdoes (it|that) (really )?matter\b"
    r"|\bnot (my|our) (problem|concern)\b|\bhard to say\b|\b(can'?t|couldn'?t|could not|cannot) (really )?"
    r"(say|give|tell|point)\b|\bwho knows\b"
    r"|\bi guess\b|\bgeneral vibe\b|\bwork out somehow\b|\bsomehow\b"
    r"|\b(haven'?t|have not|hasn'?t|didn'?t) (yet |really |actually )?([a-z]+-)?(tested|mapped|confirmed|verified|"
    r"asked|talked|spoken|costed|priced|validated|agreed|run the numbers)\b", re.I)
# A denial of a denial ("I'd be lying if I said I didn't care about the title") is an admission, not a hedge.
ADMITS = re.compile(r"\b(lying|wrong) if i said (that )?i (didn'?t|don'?t|haven'?t|wasn'?t|won'?t)\b"
                    # owning a miss is an answer, not a hedge ("I didn't test the sample batch, and I should have")
                    r"|\b(i|we) (didn'?t|did not|never) [^.;!?]{0,60}?\b(and|but|which) (i|we) "
                    r"should(n'?t)?('ve| have)\b")
# Modesty before a claim ("I'm not sure it counts, but I ran the redesign..."): the doubt is about the claim's
# weight, not a hedge on it.
MODEST = re.compile(r"\bnot sure (if |whether )?(it|this|that)( really)? (counts|matters|helps|is relevant|is what you "
                    r"mean|is what you'?re after)\b[^.;]{0,20}?\bbut\b")
# Not done yet, whatever the verb ("I haven't trained anyone", "we haven't started"): a hedge unless the line
# goes on to commit to something ("I haven't managed anyone yet; I'd propose..."). A bad thing that did not
# happen ("we haven't missed a date", "I didn't lose one order") is no hedge at all.
NOT_DONE = re.compile(
    r"\b(i|we)( still)? (haven'?t|have not|hadn'?t|didn'?t|did not)( yet| really| actually| even| ever)? (?!(been|had|"
    r"have|miss(ed)?|los[et]|drop(ped)?|slip(ped)?|fail(ed)?|brok(e|en)|break|need(ed)?|let|see|seen|hear|heard|"
    r"want(ed)?|just|only|simply|merely|repl(y|ied)|respond(ed)?|appl(y|ied))\b)[a-z]+", re.I)
# A threat is a consequence the speaker sets on the manager's answer: a condition or an either/or. With the
# act classifier's support, a line in this frame that reads as a threat is one ("another quarter of this and
# I'll be weighing my options"); talk of leaving with no condition ("I'm staying put") is not.
THREAT_FRAME = re.compile(  # not an apology's or a question's "if" ("sorry if this came across badly")
    r"\b(?<!sorry )(?<!wonder )(?<!asking )(?<!ask )(?<!see )(?<!check )(?<!know )(?<!unsure )(?<!sure )if\b"
    r"|\b(unless|either|otherwise|or)\b|\b(and|then) (i'?ll|i will|i'?d have to|my|you'?ll)\b", re.I)
# Blame has a stance: sarcasm, exasperation or a pointed finger ("bothered", "for once", "the one who"). With
# the classifier's support, such a line blames; one that names a cause or a person plainly does not.
ACCUSING = re.compile(
    r"\b(frankly|honestly|tbh|to be honest|obviously|of course|clearly|apparently|seriously|bother(ed|s)?|for once"
    r"|if \w+ ever|the real (problem|issue)"
    r"|(you|they|he|she) never|certain people|what happens when|no thanks to|the one who|whoever)\b", re.I)
# The answer put off till later ("let me go through it and get back to you on Friday"): with no figure in the
# line, it answers nothing yet, whatever day it names.
DEFERS = re.compile(r"\b(get|come|circle) back to you\b"
                    r"|\blet me (check|look|go through|think|dig|find|mull|sleep on|ponder|have a (think|look))\b"
                    r"|\bi'?d (need|have) to check\b|\bcan i (send|get|come back)\b"
                    r"|\bi'?ll (find out|look into|dig out)\b|\bbefore i (show|give|commit)\b"
                    r"|\b(put|pull|throw|write|draft) (something|it|that|a \w+(?: \w+)?) (together|up)\b[^.]*"
                    r"\b(sometime|later|soon|in a (few|couple of) days|next week)\b|\bmaybe next week\b"
                    r"|\bcloser to the (meeting|time|date|day|review)\b"
                    # the answer itself sent on later ("I'll get it to you by Friday", "I can send you the dates")
                    r"|\b(get|send|email) (it|them|those|that) (over |across )?to you\b"
                    r"(?![^.]{0,30}\b(every|each|weekly|daily|monthly)\b)"  # a standing report is a plan, not a delay
                    r"|\bi(?: can| could| will|'ll) (send|email|give|get) you the "
                    r"(dates|numbers|figures|details|list|data)\b"
                    r"|\b(put|write|set) (my|the) \w+ (down )?in writing\b"
                    r"|\bgive me (a|an|two|three|a few|a couple of) (more )?(days?|weeks?|hours?)\b"
                    r"|\blet me (pull|put|get|gather|bring) [^.;!?]{0,60}\btogether\b"
                    r"|\bi'?ll send (it|them|that|those|something) (over|across|through|round)\b", re.I)
# Declining to say ("I'd rather not get into who said what", "Let's not get into hypotheticals"): with no figure
# in the line it answers nothing ("Two people, and I'd rather not name them" still does).
REFUSES = re.compile(r"\bi'?d (rather|prefer) not\b|\bi'?m not going to (name|count|say|get into|go into|list)\b"
                     r"|\bi won'?t (name|get into|go into|say)\b|\blet'?s not (get into|go into|go there)\b"
                     r"|\bcan we (stick to|leave|park|move on)\b", re.I)
# A line made only of questions answers nothing unless a question proposes or requests something ("Could you post
# it before 4pm?", "What if I keep a one-page brief...?"); asking the manager's view back ("What time frame would you
# think is realistic?") does not.
PROPOSES = re.compile(
    r"\b(could|can|would|will|shall|should|may|might) (you|we|i)\b(?! (think|say|suggest|recommend|rather|prefer"
    r"|expect|want|like|call|consider|need|advise)\b)|\bwhat if\b|\bhow about\b|\bwhy (don'?t|not)\b"
    r"|\b(is it|would it be|is that) (ok|okay|alright|fine)\b|\bif (i|we)\b|\bworks? for you\b"
    r"|\b(ok|okay|happy|fine) with\b|\bsuit you\b|\bagree\b"
    # an offer put as a question: "Would a one-page case by Friday help?", "Want me to write it up?"
    r"|\b(would|will|does|do|did|could|can|is) (a|an|the|it|that|this|my|our|two|three|a couple of)\b[^?]{0,80}"
    r"\b(help|work|do it|do the job|cover it|be enough|suit)\b|\bwant me to\b|\bi (could|can|will|'ll)\b"
    r"|\bwe (could|can)\b|\blet me\b", re.I)
# A story told in order ("then in May...", "when I joined in 2019..."): with many names, dates and figures
# strung together, its specifics are scenery, not an answer.
SEQUENCE = re.compile(r"\b(then|after that|when i joined|in (19|20)\d\d)\b", re.I)
# ... unless the story ends in a measured change ("picking errors dropped 30%"): then it is evidence.
CHANGE = re.compile(r"\d\s?(%|percent)|\bfrom\s\S+\s(to|down to|up to)\s\S*\d|\b(doubled|halved|tripled)\b"
                    r"|\b(dropped|fell|rose|grew|cut|went (up|down)|up|down) (by )?(about |over |nearly )?\d", re.I)
# A change of subject asked in passing ("Oh, separately, did you see the car park passes are moving?"): off topic.
ASIDE = re.compile(r"^\W*(?:(?:oh|sorry|anyway|ok|okay|right|and)\b\W*)*(?:separately|before i forget|by the way|btw"
                   r"|unrelated|random question|on another note|off[- ]topic|changing the subject|while i remember"
                   r"|quick (question|one)|(totally|completely) (different|unrelated)|random|not related|also)\b")
# Empty agreement and hedging: with no figure, name or date, such a line answers nothing.
VAGUE = re.compile(
    r"\b(that|this) kind of thing\b|\bstuff like that\b|\bwe'?ll (have to )?see how\b|\bplays? out\b"
    r"|\bcan (totally |completely |really )?(see|understand) why you\b|\b(really|very) (good|fair) (point|question)\b"
    r"|\bwork itself out\b|\ba few (other )?things\b|\bin lots of ways\b|\bgood for everyone\b"
    r"|\b(wouldn'?t|don'?t|needn'?t) (need to )?worry about (that|it|this)\b"
    # empty claims: "the results speak for themselves", "loads of impact", "you'll just know, it'll be obvious"
    r"|\bspeaks? for (itself|themselves)\b|\b(lots|loads|plenty|tons) of (things|stuff|impact|experience)\b"
    r"|\byou'?ll just know\b|\bit'?ll be obvious\b"
    # taking it on trust: "you know that", "everybody knows", "believe me", "that's just how I work"
    r"|\byou know that\b|\bevery(one|body) (can see|knows)\b|\bbelieve me\b|\bthat'?s (just )?how i work\b"
    r"|\bi'?m sure you can imagine\b|\b(whatever|however) (makes (the )?most sense|works best)\b|\bhappens a lot\b"
    r"|\blook at (our|the|some) options\b|\b(a bit|a little) better\b|\breally (frequent|often)\b"
    # an answer promised for later: "sometime next week", "at some point"
    r"|\bsometime (next|this|later|soon)\b|\bat some point\b|\bget it right before\b", re.I)
SPECIFIC = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|january|february|march|april|may|june|july|"
                      r"august|september|october|november|december|q[1-4]|next (week|month|quarter|cycle|review)|"
                      r"by (the )?end of|every (week|friday|monday|month)|weekly|monthly|one-page|one-pager|"
                      r"documented|written|checklist|runbook|(the )?same (day|afternoon|morning)"
                      r"|within (an|the|one) hour|first thing|that (afternoon|morning|evening))\b", re.I)
CAPITALISED = re.compile(r"(?<![.!?]\s)\b[A-Z][a-z]{2,}\b")
OUTCOME = ("fell", "spent", "cover", "went", "green", "rebuilt", "brought", "took", "broke", "saw", "got", "had",
           "led", "lead", "ship", "deliver", "cut", "reduc", "increas", "grew", "grow", "save", "launch", "built",
           "mentor", "close", "resolv", "migrat", "autom", "won", "drop", "rais", "improv", "halv", "doubl", "fix",
           "hire", "train", "onboard", "finish", "complet", "own", "ran", "run", "land", "went", "down", "up")
TIME_UNIT = r"(?:days?|weeks?|months?|years?|quarters?|hours?|minutes?|am|pm|st|nd|rd|th)\b"
MEASURE = re.compile(  # a measured quantity (money, %, a change, a count of things), not a date or a duration
    r"[$€£]\s?\d|\d\s?(%|percent|k\b|x\b)|\bfrom\s\S+\s(to|down to|up to)\s\d"
    r"|\b\d[\d,.]*\s(?!" + TIME_UNIT + r")[a-z]+|\b(twice|doubled|halved|zero \w+|none of|all (four|three|two|five))\b"
    r"|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty) (?!"
    + TIME_UNIT + r")[a-z]+s\b", re.I)
WISH = re.compile(r"^\W*(i'?d (like|love|rather|call|say)|i want|i'?m asking)\b(?!.*\b(i'?ll|i will|i can|let'?s)\b)",
                  re.I)
HYPOTHETICAL = re.compile(r"^\s*(if|when|once|assuming)\b|\b(would|will|could|might)\b", re.I)
FIGURE = re.compile(r"[$€£]?\d[\d,.:]*\s?(%|k\b|m\b|x\b)?"
                    # "once a week" counts; "for once" and "once I've had a think" do not
                    r"|(?<!for )\bonce (?=(a|an|every|per|each|in|or|more|already|before|so far)\b)"
                    # "not just one week" and "the only one who..." count nothing
                    r"|(?<!not )\b(at least|only|just|exactly|more than) one\b(?! (who|that|which|of us)\b)"
                    r"|\b(twice|half|double|doubled|halved|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                    r"twelve|fifteen|twenty|thirty|forty|fifty|hundred)\b(?!-)", re.I)  # not "half-baked"
ASK_CUES = ("could we", "can we", "would you be willing", "i'd like", "i would like", "i'm asking", "i am asking",
            "can you", "could you", "would you", "will you",
            "i need you", "i need your", "i want to ask", "my ask", "the ask", "approve", "put me forward",
            "put my name forward", "sign off", "sign-off", "i'm requesting", "i request", "i want you", "can we agree",
            "could we agree", "are you open to", "would you be open", "would you back", "support me", "i need")
SOLUTION_CUES = ("i'll", "i will", "i can", "i could", "we could", "we can", "propose", "proposal", "plan", "next step",
                 "how about", "what if", "happy to", "i've drafted", "i have drafted", "i've already", "i've set up",
                 "instead", "alternative", "pilot", "trial", "by friday", "by monday", "by end of", "offer to",
                 "i'm going to", "we'll", "let me", "i've written", "fallback", "handover", "hand over", "let's",
                 "we've already", "we're already", "already started", "is already", "are already", "i'd", "we'd",
                 "she'd", "he'd", "they'd", "you'd get", "we've pulled", "we've moved", "make it", "if i",
                 "every friday", "every week", "starts", "rerouted", "is patching", "is building", "would fix",
                 "i've started",
                 "take over", "takes over", "drafted", "sketched", "checkpoint", "frame it", "put it to", "buffer",
                 "in place", "set up", "swap", "on ice", "pause", "defer", "trial", "weekly", "each friday")
STRONG_SOLUTION = ("i'll", "i will", "let's", "i've already", "we've already", "we're already", "already started",
                   "i can", "i propose", "i'd propose", "my plan", "here's my plan", "is already", "i've started",
                   "takes over", "i've drafted", "i've sketched", "i've set up")
INPUT_CUES = ("what do you think", "would that work", "does that work", "would this work", "how does that sound",
              "your view", "your take", "how do you see", "your input", "your advice", "do you agree",
              "what am i missing", "your perspective", "how would you", "what would you", "what would it take",
              "any concerns", "what worries you", "what would you need", "would you prefer", "from your side",
              "what do you need", "is there anything", "how should we", "does that make sense", "what's your",
              "how do you feel", "what else would", "would you rather", "feel right", "or would you", "which would you",
              "do you prefer", "does that feel", "enough for you", "would that be enough", "do you need")
PRIORITY_CUES = ("team", "goal", "priority", "priorities", "quarter", "okr", "target", "roadmap", "objective",
                 "customer", "launch", "strategy", "the business", "organisation", "organization", "company",
                 "deadline", "revenue", "for you", "your goal", "helps you", "protects", "risk to")
