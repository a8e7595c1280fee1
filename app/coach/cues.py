"""The patterns and cue phrases that read a person's line: high-precision rules for threats, blame,
hedges, closings and measured facts, and the stemmed cue phrases of each act. Data for
app/coach/understanding.py, which combines them with the embeddings."""

from __future__ import annotations

import re

# --- rules: high-precision patterns a keyword list cannot express ---------------------------------

ULTIMATUM = re.compile(
    r"\bor (else|i'?ll|i will|i'?m)\b.{0,40}\b(leav|quit|resign|go|look|walk|escalat|take|find|stop)"
    r"|\b(start|begin|will be|i'?ll be|am) (looking|interviewing)\b"
    r"|\blook(ing)? (elsewhere|for (another|a new|other) (job|role|position|team|company))"
    r"|\b(i'?ll|i will|i'?m going to|i am going to|i'?d have to|i will have to|i'?ll have to) "
    r"(quit|resign|leave|walk|hand in my notice|go over your head|go to (hr|your boss|the vp|the director|legal))"
    r"|\bover your head\b|\bother offers?\b|\bcompeting offer\b|\btake it or leave it\b|\bnon-?negotiable\b"
    r"|\bfinal offer\b|\bthis is my last\b|\bi'?m done\b|\bor i'?m out\b|\bi'?m out\b"
    r"|\brecruiters?\b|\bsomewhere else\b|\bwrong (team|company|place)\b|\b(the|an) offer (i'?ve|i have)\b"
    r"|\b(find|take|get) (one|another|something|a job|a role) (somewhere|elsewhere|else)\b"
    r"|\bno (other )?choice but\b|\breconsider (my|whether i)\b|\b(consider|weigh|explore) my options\b"
    r"|\b(can'?t|won'?t|not going to) stay\b|\bupdat(e|ing) my (cv|resume|linkedin)\b|\bheadhunter"
    r"|\b(hand|put) in my (notice|resignation)\b|\bescalate (this|it) (to|above)\b|\bor else\b"
    r"|\b(take|taking) (this|it) (to|up with) (hr|your boss|the vp|the director|legal|my lawyer)\b"
    r"|\bif (not|you don'?t|you won'?t|this doesn'?t|it doesn'?t)\b.{0,60}\b(leave|quit|resign|elsewhere|walk|"
    r"notice|another job|escalate|hr)\b"
    # leaving, said sideways: "I'm going unless...", "I don't see myself here by summer", talks outside
    r"|\b(i'?m|i am) (going|leaving|off|out|gone)\b[^.]{0,40}\bunless\b"
    r"|\b(don'?t|do not|can'?t|cannot) (really |honestly )?see myself (still )?(here|staying|doing (this|it)|in th)"
    r"|\b(not sure|can'?t promise) i'?ll (still )?be (here|around)\b"
    r"|\b(conversations?|talks|interviews?) (outside|elsewhere|with other)\b|\b(second|final) (round|interview)\b"
    r"|\b(find|get|hire) someone else\b|\baccept the other\b|\bor (find|get|hire) (yourself )?(a new|another)\b"
    # going over their head, or a record that ends up with HR
    r"|\bi(?:'ll| will|'m going to| am going to|'m taking| am taking| will be)\b[^.]{0,60}\b(hr|legal|the exec(utive)?"
    r"( team)?|the board|your (boss|manager|director)|above you)\b"
    r"|\b(go(es)?|end up|ends up|will go|going) (straight )?(to|with) (hr|legal|your (boss|director))\b"
    # ... or to anyone above the manager, by title: "I'll be going to the VP", "raising it with her boss"
    r"|\bi(?:'ll| will|'m going to| am going to|'m| am| will be)\b[^.]{0,60}\b(to|with) (the )?(vp|svp|ceo|cto|cfo|coo"
    r"|head of \w+|skip[- ]level|(his|her|their) (boss|manager)|the union)\b"
    # interest from outside, however it arrived: a call, an approach, an offer, an interview, talks
    r"|\b(calls?|approach(ed)?|offers?|interviews?|conversations?|talks|talking|speaking|chatting)\b[^.]{0,25}"
    r"\b(from|with|to|at|by) (a |an |some |a few |a couple of |two |several )?(other|another|different|competing|rival)"
    r" (compan|firm|employer|organi[sz]ation|business|team)"
    r"|\b(offered|offer of) (a |an |another )?(role|job|position|post|place)\b[^.]{0,20}"
    r"\b(elsewhere|somewhere|at|with)\b"
    r"|\b(i'?ve|i have) (got )?(an|a second|another|a final) interview\b"
    # leaving, by the door it leaves through: "not the place for me", "a manager who can"
    r"|\b(isn'?t|is not|not|wasn'?t) the (right )?(place|team|company|job|role|manager) for me\b"
    r"|\b(find|look for|get) (a|another|some) (manager|boss|team|company|job|role|place|employer) (who|that|where)\b"
    r"|\b(think|thinking|consider|considering|weigh|weighing|review|reviewing|keep|keeping|look at|looking at) "
    r"(about |at )?(my|all my) (options|future( here)?|position here)\b"
    r"|\b(rethink|reconsider|re-?evaluate) (my|whether)\b"
    # endurance running out, said by the person themself
    r"|\bi (just |really |honestly |simply )?(can'?t|cannot|won'?t be able to) (keep (doing|going|on|working|this up)|"
    r"carry on|go on|take (much|any) more|do (this|it) (much |any )?(longer|anymore|any more|forever))\b"
    r"|\bor i (will|'ll)\W*$"
    # a condition and a consequence the person will act on: "if this carries on, I'll ..."
    r"|\bif (nothing|this|it|things|that|the \w+)\b[^.?]{0,40}\b(changes?|carries on|continues|keeps (up|on|happening)|"
    r"happens again|goes on|stays (like|the same|this way))\b[^.?]{0,20}?,?\s*(then )?"
    r"(i'?ll|i will|i'?m going to|i am going to|i'?d have to|i may|i might|i'?m)\b", re.I)
# The vocabulary of leaving or going over the manager's head, for a first-person check in understanding.py: the words
# alone are not a threat ("Mia is thinking of leaving", "I interviewed three candidates"), the person saying them of
# themself is ("I'd rather leave before that happens", "Northwind have offered me a lead role").
EXIT = re.compile(
    r"\b(resign\w*|(my|hand in|handing in|put in|give|giving) (my )?notice|quit(ting)?|walk(ing)? (out|away)|"
    r"mov(e|ing) on\b(?! to (the|a|our|next))|(i'?m|i'?ll be|be) (gone|off|out of here|out the door)|"
    r"(out of|out) the door|"
    r"(?<!on )(?<!annual )(?<!sick )(?<!parental )(?<!maternity )(?<!paternity )"
    r"leav(e|ing)\b(?! (it|the (doc|draft|note|file|meeting|office)|you|a |them|that|this (with|for|in)|early|"
    r"for (a|the|my|holiday|lunch)|on|at|drinks|do|party|card|present|lunch))|"
    r"(send|sending|sent) (my|out my) (cv|resume)|(apply|applying|applied|applications?) (elsewhere|outside|around|"
    r"to other|(for|to) (other|another|outside|external) |for (jobs|roles|positions)\b(?! here))|tempted to apply|"
    r"job (posting|advert|ad|offer|hunt\w*|search\w*)|"
    r"(other|another|a new|different) (jobs?|roles? elsewhere|compan(y|ies)|employers?|firms?|"
    r"opportunit\w+ (elsewhere|outside))|(sound|sounding|sounded) out (a few|some|other) (places|companies|firms)|"
    r"offered me|(have|has) offered|(been|got|was) (offered|approached|headhunted|poached)|"
    r"(job|competing|better|other|outside) offer|interview\w* (elsewhere|outside|around|"
    r"with (another|a competitor|other)|at (a competitor|another))|(invited|asked) to interview|"
    r"(a|an|a second|a final|another) interview\b(?! (slot|panel|loop) for)|recruiters?|headhunt\w*|poach\w*|"
    r"(a|ask for a|request a) transfer|(move|moving|go|going|switch|switching|transfer\w*) (me )?to "
    r"(another|a different|a new|a|some other) (team|department|group|company|firm|manager|boss)|"
    r"elsewhere|somewhere (else|with)|"
    r"(wants?|wanted|keen to have|trying to (hire|poach)) me (as|on|at|for|to join)|"
    r"join (her|his|their|a|another|a new|a different|a rival|a competing|the other) (new )?(company|firm|startup|"
    r"business|employer)|"
    r"(last|lasting|stay|staying) (here )?(much |any )?longer|how (much )?longer (i|i'?ll|i can)|"
    r"close to (walking|quitting|leaving|breaking point|the door)|last straw|done (fighting|waiting|trying|asking)|"
    r"after that,? i'?m|count me out|"
    r"linkedin|job (boards?|sites?)|(another|a rival|a competing|other|a different) \w+ (has |have |had )?"
    r"(asked|approached|contacted|invited) me|escalat\w* (it|this|that|things|matters)\b(?! (to|with) (you|me))|"
    r"people services|employee relations|ombuds\w*|whistle-?blow\w*|"
    r"(request\w*|ask\w* for|want) (a different|another|a new) (manager|boss|team|department|reporting line)|"
    r"(walk|walks|leave|leaves|quit|quits|go|goes)\b,? ((me|myself) included|including me)|"
    r"(talking|speaking|chatting|talked|spoke|meeting|met) (to|with)\b[^.]{0,40}\babout (a|an|the|their|joining|coming|"
    r"moving)\b[^.]{0,20}\b(role|job|position|opening|offer|back|over|them)\b|"
    r"put in for (a )?(move|transfer)|didn'?t say no|haven'?t said no|not said no|"
    r"contest\w* (it|this|that|the)\b|(raise|lodge|file) a (formal )?(complaint|grievance|appeal)|"
    r"(a|any|my) future (here|on|in|at|with) (this|the|you)|"
    r"(report\w*|tak\w+|escalat\w+|rais\w+)\b[^.]{0,40}\bto (the )?(compliance|regulator|ethics|board|audit|"
    r"works council)|(bags?|suitcase) (is |are )?packed|that'?s it for me|clear(ing)? (out )?my desk|counting the days|"
    r"hr|human resources|the union|union rep|(a|an|my) (employment )?lawyer|legal action|tribunal|grievance|"
    r"formal complaint|(on|in) (the )?record)\b", re.I)
SELF = re.compile(r"\b(i|i'?m|i'?ll|i'?ve|i'?d|me|myself)\b", re.I)
OTHER = re.compile(r"\b(she|he|they|she'?s|he'?s|they'?re|they'?ve|someone|somebody|people|person|colleagues?|"
                   r"reports?|members?|engineers?|two|three|candidates?|anyone|nobody|who"
                   r"|(?<!every )(?<!each )(?<!any )(?<!no )(?<!this )(?<!that )(?<!the )(?<!which )(?<!other )"
                   r"(?<!another )one)\b", re.I)
# Withdrawing one's part unless something changes: "I'm not putting my name to that date", "no budget, no launch".
WITHDRAW = re.compile(r"\b(not|won'?t( be)?|refuse to) (put(ting)?|sign(ing)?( up)?( to| for| off)?) "
                      r"(my name|that|this|the (date|deadline|launch))\b|\bno (\w+), no (\w+)\b"
                      r"|\bcan'?t be (held )?responsible\b|\bdon'?t expect me to\b", re.I)
# Taking something to the manager's boss *for* the manager is a service, not a threat: "so if your director asks..."
SERVICE = re.compile(r"\b(brief\w*|updat\w+|send (you|them)|forward|summar\w+|prepare\w*|so (if )?(you|your)|for you|"
                     r"keep you|copy you|loop you|ready for)\b", re.I)
# A threat word after a refusal is not a threat: "I've turned down recruiters all year".
NOT_THREAT = re.compile(
    r"\b(turn(ed|ing)? down|said no to|say no to|declin(e|ed|ing)|ignor(e|ed|ing)|not (talking|speaking|looking|"
    r"interested|going|planning)|haven'?t (been )?(talking|speaking|looking)|instead of|rather than|never)\b[^.;,]*$",
    re.I)
BLAME = re.compile(
    r"\b(their|his|her|your|qa'?s|ops'?s|the \w+ team'?s) fault\b|\bnot my fault\b|\bblame\b|\bscrewed (it |this )?up\b"
    r"|\bmessed (it |this )?up\b|\b(useless|incompetent|lazy|clueless|idiots?|hopeless|a joke|pathetic|ridiculous|"
    r"absurd|unprofessional|pointless|a waste of (my )?time)\b"
    r"|(?<!\bwhich )(?<!\bthat )\byou (never|always|don'?t ever|can'?t even|keep)\b(?! (have|need) to)"
    r"|\bdropped the ball\b|\b(their|his|her|your) problem\b|\bnot on me\b|\b(just )?an excuse\b|\bcoasting\b"
    r"|\binsult(ing|ed)?\b|\bdid you even\b|\bsat on (my|our|it|them)\b"
    r"|\b[a-z]+ never (read|checked|listened|bothered|told|replied|responded|reviewed|tested)\b"
    r"|\b(his|her|their|your) (mistake|screw-?up|mess)\b|\bunder the bus\b|\byou don'?t (care|listen)\b"
    r"|\b(he|she|they) should(n'?t)? have\b|\b(he|she|they) should'?ve\b|\bit'?s on (them|him|her)\b"
    r"|\bbecause of (him|her|them)\b|\b(blame|fault) (lies|is) with\b|\b(sloppy|careless|lazy)\b"
    r"|\bthrew (me|us) under\b|\bwasn'?t (my|our) (job|problem|call)\b|\bbecause (they|he|she) (didn'?t|never|failed)\b"
    r"|\bit'?s (all )?(on|because of) (them|him|her|you)\b|\bthanks to (them|him|her|you)\b"
    # sarcasm and pointed fingers without a name: "of course, because...", "funny how", "whoever signed off"
    r"|\b(of course|clearly|obviously|sure),? because\b|\bfunny how\b|\bwhoever (dreamt|dreamed|came|signed|"
    r"approved|decided|thought|planned)\b|\byour (planning|decision|team|side|department|management|process|call) "
    r"(created|caused|made|broke|changed|is why)\b|\bnobody (on your (side|team)|upstairs|in management)\b"
    r"|\b(is|was) never (actually )?your\b|\bit'?s always (someone|somebody)\b|\btry doing my job\b"
    r"|\banother brilliant\b"
    # another party's failing, named as what they did: "the platform people broke the build", "Legal held it a month"
    r"|\b(they|he|she|you|people|team|crew|department|legal|sales|product|ops|qa|procurement|finance|design|marketing|"
    r"management|leadership|contractors?|agency|agencies) (\w+ )?(broke|lost|ignored|forgot|botched|fumbled|mangled|"
    r"held (up |onto |on to )?(the|our|my|it)|sat on|vanished|disappeared|wrecked|overruled|blocked)\b"
    # what would not have happened if they had: "none of this would be happening if sales stopped promising"
    r"|\bif (you|they|he|she|management|leadership|sales|product|legal|finance|procurement|ops|qa|marketing|design|"
    r"(the|your|our) \w+( team)?)('d(?! (like|prefer|rather|want|be (willing|open|happy)))|'d ever| hadn'?t| had (ever|"
    r"just|only|bothered|listened|read|asked|told)| stopped| started| actually| ever| bothered| just)\b"
    # a pattern held against someone: "you've never let anyone try", "thanks to your last-minute changes"
    r"|\byou('ve| have| had) (never|only ever|not once|constantly)\b|\byou (only ever|not once|constantly)\b"
    r"|\bthanks to (your|their|his|her) \w+"
    r"|\byou say\b[^.]{0,50}\b(yet|but)\b|\b(so-called|rigged|stitched up|favouritism|favoritism)\b"
    r"|\bnice of (you|them|him|her|leadership|management|head office|\w+) to\b|\b(acts?|acting) (surprised|shocked)\b"
    r"|\bclearly (didn'?t|not|never|wasn'?t|hasn'?t|doesn'?t)\b|\bsupposed to\b[^.]{0,40}\b(didn'?t|never)\b"
    r"|\bwho you (play golf|have lunch|go drinking|get on) with\b|\bno thanks to\b"
    r"|\byour (favourites|favorites|pets|mates|inner circle|golf buddies)\b"
    r"|\b(other people'?s|someone else'?s|another team'?s) (unfinished|half-finished|half-done|leftover|abandoned|"
    r"broken|messy)\b|\b(start\w*|begin\w*|comes|came|stem\w*|originat\w*) (with|from) (you|your|them|their)\b"
    r"|\b(what|why) you'?re (paid|here) (for|to)\b|\bmore than \w+('s)?( \w+)? (has|have|had) ever\b"
    r"|\b(hovering|breathing down|looking over) (over )?(my|our|everyone'?s|people'?s|the team'?s) "
    r"(shoulders?|necks?)\b"
    # the cost of it landing on us: "and now we're paying for it", "left us holding the baby"
    r"|\bnow (we'?re|we are|i'?m|i am) (the ones |left )?(paying|stuck|cleaning|picking up|carrying|taking the)\b"
    r"|\bleft (us|me) (to|with|holding)\b|\bwe'?re the ones (who|paying|cleaning|left)\b"
    # the cause put on someone else's doing: "came from waiting on your approvals", "down to their sign-off"
    r"|\b((came|come|comes|stem\w*|result\w*) from|(down|due) to) (waiting (on|for) )?(you|your|their|his|her)\b"
    r"|\bwaiting (on|for) (you|your|them|their|him|his|her)\b|\bbecause of (your|their|his|her)\b"
    # no one did their part, so how could we know
    r"|\b(nobody|no one) (ever |even |once )?(bothered|told|asked|thought|checked|warned|listened)\b"
    r"|\bhow (was|were|am|are) (i|we) (supposed|meant|expected) to\b|\b(maybe|perhaps) if (you|they|he|she|\w+)\b"
    r"|\bif you (read|listened|checked|looked|answered|replied)\b[^.]{0,40}\byou'?d\b|\bforgive me (if|for)\b"
    r"|\b(gave|handed|sent|passed|shipped) (us|me) (the )?(wrong|broken|bad|incomplete|outdated|buggy|half-finished)\b"
    r"|\b(duds?|rubbish|garbage|shambles|clowns?|amateurs?|amateurish|half-baked|nonsense)\b"
    # where the fault is put: "this one is on them", "that's on product"
    r"|\b(is|was|'s|are|were) (all |entirely |squarely |really |totally )?on (them|him|her|you|product|ops|qa|"
    r"management|leadership|upstairs|finance|sales|the \w+ (team|group|side))\b"
    # work imposed on us: "dropped on us", "dumped it all on us", "loaded us with"
    r"|\b(dump|dumped|dumping|drop|dropped|dropping|throw|threw|thrown|throwing|foist\w*|offload\w*|shove[dn]?)"
    r" (it |this |that |everything |all (of )?(this|that|it) |it all |all this |the lot |work )?(on|onto|at) "
    r"(us|me|my team|our team|the team)\b|\b(loaded|saddled|lumbered|landed|stuck) (us|me|my team|the team) with\b"
    # cause pinned on another party's failing: "because QA took three weeks", "because you kept changing"
    r"|\bbecause (you|they|he|she|qa|ops|product|management|leadership|finance|(the|your|their) \w+( team| group)?)"
    r"('ve| have| had)? (kept|keep|keeps|took|didn'?t|never|failed|sat|ignored|refused|forgot|couldn'?t|wouldn'?t|"
    r"can'?t|won'?t|changed|loaded|dumped|missed)\b"
    r"|\bsat on (the|this|that|my|our|it|them)\b|\bsitting on (the|this|that|my|our|it|them)\b"
    # what we'd have had if someone else had done their part
    r"|\b\w+'?d have\b[^.]{0,50}\bif (?!we\b|i\b)(your \w+|you|they|he|she|[a-z]+)( team)? (had|hadn'?t|did|didn'?t)\b"
    r"|\bif (you|your \w+|they|he|she)( team)? (had|'d) (ever|just|actually|bothered|only)\b"
    r"|\b(do|did|does|doing) (their|his|her|your) (job|jobs|homework)\b|\btake (it|this) out on\b"
    r"|\bthat'?s not (a reason|an excuse)\b|\b(?<!\bi )(?<!\bwe )(still|even) can'?t\b"
    r"|\bcan'?t (even )?(plan|organi[sz]e|be bothered)\b"
    r"|\b(late|again|wrong|broken|missing|behind)\b[^.]{0,12}\bas usual\b"
    # mockery: "Seriously?", "I'm not a child", "Oh sure, ...", "just me being sensitive"
    r"|\bseriously\?|\bi'?m not a (child|kid|baby|intern|junior)\b|\b(babysit|spoon-?feed|hand-?hold)\w*\b"
    r"|^\W*oh,? (sure|great|right|brilliant|wonderful|of course)\b|\bjust me being (sensitive|difficult|dramatic|"
    r"picky|unreasonable)\b|^\W*(honestly,? |frankly,? )?(go and |go )?ask (them|him|her|the \w+( team)?)[.!]", re.I)
# Blame as a shape rather than a phrase: another party as the one acting (you, your planning, they, a named person,
# a team or function) and, later in the same sentence, the marks of fault: an imposition that keeps coming, something
# done without asking, a harmful act, a broken promise, or the cost left with us. understanding.py checks the order.
AGENT = re.compile(
    r"(^|[,;:]\s*|\b(and|but|so|because|since|then|when|while)\s+)(?!(the|our|my) team\b)(you|your \w+|they|they'?ve|"
    r"who|he|she|(the |our |that |this )?(\w+ )?(partner|vendor|supplier|client|contractor|agency)s?\b|"
    r"(the |our |that |this )?"
    r"(other )?\w+ (team|squad|group|department|crew|side|office|people|folks)|finance|leadership|management|legal|"
    r"sales|product|procurement|ops|qa|marketing|design|head office|upstairs|whoever|(the |our |that |this |my )?"
    r"(last |previous |old |new )?(two |three |few )?(managers?|boss|lead|director|architect|committee|panel|board|"
    r"execs?|bosses|vp))\b",
    re.I)
NAMED = re.compile(r"(?:^|[.!?;:]\s+|,\s+|\b(?:and|but|so|because|then)\s+)([A-Z][a-z]+|[A-Z]{2,4})\b"
                   r"(?! (and|or) (I|we)\b)")
NOT_NAMES = {"The", "This", "That", "These", "Those", "There", "It", "We", "I", "Our", "My", "If", "When", "So",
             "And", "But", "Then", "Since", "Once", "Every", "Each", "Two", "Three", "Four", "Five", "Last", "Next",
             "One", "Honestly", "Frankly", "Yes", "No", "Okay", "Well", "Sure", "Right", "Fair", "Good", "Great",
             "Thanks", "Before", "After", "Because", "While", "Without", "Half", "Most", "All", "Some", "Any", "Let",
             "Anything", "Nothing", "Everything", "Everyone", "Nobody", "Somebody", "Someone", "Between", "What",
             "How", "Why", "Where", "Who", "Which", "Can", "Could", "Would", "Will", "Should", "Do", "Does", "Did",
             "Is", "Are", "In", "On", "At", "For", "With", "From", "By", "To", "As", "Or", "Not", "Just", "Only",
             "Also", "Even", "Maybe", "Perhaps", "Look", "Listen", "Hi", "Hey", "Oh", "Ah", "Um", "Er", "Sorry",
             "Please", "Here", "Now", "Today", "Yesterday", "Tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday",
             "Friday", "Saturday", "Sunday", "Starting", "Putting", "Given", "Set", "Give", "Take", "Make", "Put",
             "Tell", "Keep", "Send"}
FAULT = re.compile(
    r"\bkeeps? (dumping|changing|moving|adding|saying yes|pushing|cancell?ing|ignoring|throwing|overruling|promising|"
    r"piling|loading|interrupting|reassigning|dropping|shifting)\b|\bkept (dumping|changing|moving|adding|saying yes|"
    r"pushing|cancell?ing|ignoring|throwing|overruling|promising|piling|loading|interrupting|reassigning|shifting)\b"
    r"|\byet again\b|,\s*again\b|\bagain[.!]|\bevery (single )?time\b|\bas (always|usual)\b"
    r"|\bwithout (so much as |even )?(warning|asking|telling|consulting|checking|testing|reviewing|a (word|review|test|"
    r"heads-up|warning|second thought)|any (warning|notice|review|testing|consultation)|notice)\b"
    r"|\bfailed to\b|\bdidn'?t (even )?bother\b|\bnever (bothered|once)\b"
    r"|\b(dump\w*|hoard\w*|froze|freez\w*|overrul\w*|scapegoat\w*|micromanag\w*|second-guess\w*|broke|signed us up|"
    r"volunteered us|offload\w*|lumbered|sat on)\b|\bpin (it|this|that|the blame) on\b"
    r"|\bpromised\b[^.]{0,40}\b(and then|but then|then|yet)\b"
    r"|\bleav(e|es|ing) (us|me) to\b|\band (we|i) get (the|stuck|left)\b|\bso here we are\b"
    r"|\b(is|was|are|were) (exactly |precisely |partly |largely |the reason )?why\b"
    r"|\bbefore\b[^.]{0,30}\b(had |has |have )?even (seen|read|asked|checked|told|looked|agreed|heard)\b"
    r"|\bwithout even\b|\bclearly only\b|\b(they|you|he|she) (already |clearly |obviously )?(like|favou?r|prefer)\b"
    r"|\bwhat'?s (burning|killing|causing|breaking|slowing|hurting|wrecking|draining|driving)\b"
    r"|\b(is|was|are|were) the (real )?(reason|problem|cause|issue)\b"
    r"|\b(slowed|stalled|suffered|fell apart|fallen apart|went wrong|gone wrong|derailed|tanked)\b"
    r"|\b(wasted|squandered|blew) (the|our|my|all|a)\b|\bfor (himself|herself|themselves)\b"
    r"|\bkeeps? (?!(going|working|running|growing|improving|getting better|delivering)\b)\w+ing\b"
    r"|\bwithout (running|reading|looking|thinking|talking|informing|waiting|involving|asking|checking|testing|"
    r"telling)\b"
    r"|\btook (\w+ )?(days|weeks|months|ages|forever|a year|a month|a week)\b[^.]{0,10}\bto\b"
    r"|\bwent (silent|quiet|dark|missing|awol)\b|\bghosted\b"
    r"|\b(approved|agreed|promised|signed off|said yes)\b[^.]{0,50}\b(and then|but then|only to|then)\b"
    r"|\b(promised|said|agreed|swore)\b[^.]{0,60}\b(never|neither|nobody|no one)\b"
    r"|\blet (us|me|the team) down\b|\b(ignored|ignores|ignoring) (our|my|the|us|me)\b", re.I)
# Saying in so many words that it is no one's fault takes the shape of blame back ("not one person").
NO_BLAME = re.compile(r"\bnot (about )?(one|any|a single|a) person\b|\bnot about blame\b"
                      r"|\bprocess (issue|problem|gap)\b|\b(not|isn'?t|wasn'?t) (anyone|anybody|someone)'?s fault\b"
                      r"|\b(no one|nobody|no-one)'?s fault\b", re.I)
# Someone else's not doing their part as the reason: "I'd have grown faster if anyone here had taken it seriously".
COUNTERFACTUAL = re.compile(
    r"\b(\w+'d|would|wouldn'?t|could|couldn'?t) (have|be)\b[^.]{0,60}\bif (anyone|anybody|someone|nobody|you|they|he|"
    r"she|management|leadership|[a-z]+ team)( here| there| upstairs)? (had|'d|hadn'?t|did|didn'?t|were|was)\b"
    r"|\bif (anyone|anybody|someone|nobody|you|they|he|she)( here| there| upstairs)? (had|'d|hadn'?t)\b[^.]{0,60}"
    r"\b(i|we)('d| would| wouldn'?t| could)\b"
    r"|\b(nobody|no one)( here| upstairs| around here)? (has|have|had|ever|even|once)( ever| even| once)? (lifted|"
    r"bothered|helped|asked|listened|cared|offered|given|taken|shown|told|explained|supported)\b"
    r"|\b(went|go|goes) to whoever\b|\bwhoever (was|is|shouts|shouted|talks|talked) (the )?(loud|clos|friend)\w*", re.I)
# A concern about how something went wrong and who dropped the ball: naming the culprit does speak to it.
CAUSE = re.compile(r"\b(drop(ped)? the ball|blame|how (it|this) happened|root cause|who (was )?at fault)\b", re.I)
CLOSING = re.compile(
    r"^(ok(ay)?|great|perfect|brilliant|good|sounds good|deal|agreed)?[,.!]?\s*(thanks|thank you|that'?s all|"
    r"that works|sounds good|perfect|deal|great|i'?ll (send|do|get)|see you|talk (soon|then|next week)|bye)\b"
    r"[^?]{0,120}$", re.I)
NEGATION = re.compile(
    r"\b(haven'?t|have not|hasn'?t|didn'?t|did not|don'?t|do not|not) (really |yet |actually )?"
    r"(thought|figured|worked out|decided|planned|looked|considered|got|have|know|sure|checked|measured|tracked)\b"
    r"|\bno (idea|plan|clue|numbers|data)\b|\bnot sure\b|\bnot yet\b|\bsomeone will\b"
    r"|\b(none of (them|it|these|those|this)|nothing) (can|could|will)( really| possibly)? (move|change|go|give|slip|"
    r"wait|be (cut|dropped|moved|paused))\b"
    r"|\bwe'?ll (see|figure it out)\b|\b(figure|work) (it|that) out later\b|\bdoes (it|that) (really )?matter\b"
    r"|\bnot (my|our) (problem|concern)\b|\bhard to say\b|\bcan'?t (really )?(say|give|tell|point)\b|\bwho knows\b"
    r"|\bi guess\b|\bgeneral vibe\b|\bwork out somehow\b|\bsomehow\b"
    r"|\b(haven'?t|have not|hasn'?t|didn'?t) (yet |really |actually )?([a-z]+-)?(tested|mapped|confirmed|verified|"
    r"asked|costed|priced|validated|agreed|run the numbers|led|owned|shipped|delivered|built|trained|prepared|drafted|"
    r"started|written|documented|handed over|set up)\b"
    # not having talked to the vendor is a gap; not having talked to anyone else is an answer (it is my own view)
    r"|\b(haven'?t|have not|hasn'?t|didn'?t|did not) (yet |really |actually )?(talked|spoken)\b"
    r"(?! (about (it|this|that) )?(with|to) (anyone|anybody|others|other people|the (rest of the )?team|my team|"
    r"colleagues|my colleagues|the others))", re.I)
# A change of subject announced: "by the way", "speaking of ...", "totally different subject, but".
TOPIC_SHIFT = re.compile(r"\b(by the way|anyway|speaking of|before i forget|(totally |completely |a )?"
                         r"(different|unrelated) (subject|topic|note|question)|(totally |completely )?unrelated|"
                         r"random (thought|question)|"
                         r"on another note|changing the subject|off[- ]topic|while i (remember|have you))\b", re.I)
# Empty agreement and hedging: with no figure, name or date, such a line answers nothing.
VAGUE = re.compile(
    r"\b(that|this) kind of thing\b|\bstuff like that\b|\bwe'?ll (have to )?see how\b|\bplays? out\b"
    r"|\bcan (totally |completely |really )?(see|understand) why you\b|\b(really|very) (good|fair) (point|question)\b"
    r"|\bwork itself out\b|\ba few (other )?things\b|\bin lots of ways\b|\bgood for everyone\b"
    # best effort in place of a commitment: "we'll try to keep as many as we can"
    r"|\b(we'?ll|i'?ll|we will|i will) (try|do (our|my) best)\b|\bas (many|much|best)( \w+)? as (we|i) can\b"
    r"|\b(do|doing) (everything|all|whatever) (we|i) can\b"
    # the judgement handed back to the manager, or a character reference in place of a plan
    r"|\bwhatever you (say|decide|think|want|like|prefer)\b|\b(it'?s|that'?s) (kind of |really |all )?up to you\b"
    r"|\bi'?m (very |really |totally |always )?(reliable|trustworthy|dependable|sensible|responsible|on it)\b"
    r"|\byou know (me|i'?m|i am)\b|\btrust me\b|\bdon'?t worry\b|\bkeep you (posted|in the loop|updated|informed)\b"
    # hope in place of a plan: "hopefully soon, if all goes well"
    r"|\bhopefully\b|\bif all goes (well|to plan)\b|\bfingers crossed\b|\bwith (any|a bit of) luck\b"
    # assurance standing in for the thing itself: "I'm sure it all lines up", "I'm sure there's money somewhere"
    r"|\bi'?m (sure|certain|positive) (it|it'?ll|it will|that|there'?s|there is|we'?ll|everything|whatever|you'?ll)\b",
    re.I)
SPECIFIC = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|january|february|march|april|may|june|july|"
                      r"august|september|october|november|december|q[1-4]|next (week|month|quarter|cycle|review)|"
                      r"by (the )?end of|every (week|friday|monday|month)|weekly|monthly|one-page|one-pager|"
                      r"documented|written|checklist|runbook|yesterday|this morning|this afternoon|"
                      r"last (night|week))\b", re.I)
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
FIGURE = re.compile(r"[$€£]?\d[\d,.:]*\s?(%|k\b|m\b|x\b)?|\b(once|twice|half|double|doubled|halved|two|three|four|"
                    r"five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred)\b", re.I)
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
                   "i can", "i propose", "my plan", "here's my plan", "is already", "i've started", "every friday",
                   "every week", "takes over", "i've drafted", "i've sketched", "i've set up")
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
