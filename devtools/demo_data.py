"""The people, companies and complaints that `manage.py load_demo` loads.

Drawn from the stories in DESIGN.md. 2KOM and Ростелеком are real providers
named in those stories; every other company is made up and its web address
is under the reserved `.example` domain, so no link leads to a real business.
Stories hold no e-mail addresses or phone numbers, and dates are relative
(`month` 0 is the current month, 1 the one before, and so on), so the portal
looks current whenever it is loaded.
"""

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal

from companies.models import Representative
from complaints.models import Complaint, Message, Offer

Outcome = Complaint.Outcome
Kind = Message.Kind


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str = ""
    # Only the four documented accounts can sign in; the other authors and
    # representatives get an unusable password so the demo publishes no further credentials.
    password: str | None = None
    is_moderator: bool = False
    is_admin: bool = False


@dataclass(frozen=True)
class DemoIndustry:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoCompany:
    name: str
    industry: str
    country: str
    website: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    description: str
    # Support channels and hours for its public profile (companies.models.CompanyProfile fields).
    contact: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DemoReceipt:
    """A small drawn receipt attached as evidence (ASCII only: the built-in font has no umlauts).

    A line is text, or a (label, amount) pair printed with the amount flush right.
    """

    file_name: str
    lines: tuple[str | tuple[str, str], ...]
    days_before_incident: int


@dataclass(frozen=True)
class DemoComplaint:
    author: str
    company: str
    language: str
    title: str
    paragraphs: tuple[str, ...]
    desired_outcome: str
    month: int  # months before the current one
    at: float  # how far into that month (for the current month: into the part already gone)
    days_before: int  # from the incident to publication
    amount: Decimal | None = None
    currency: str = ""
    is_anonymous: bool = False
    account_number: str = ""
    reachable_times: str = ""
    # The same window in the form a call-back proposal is checked against.
    reachable_days: str = ""
    reachable_from: time | None = None
    reachable_until: time | None = None
    receipt: DemoReceipt | None = field(default=None)

    @property
    def story(self) -> str:
        return "\n\n".join(self.paragraphs)


MEMBER = "member@example.com"
MODERATOR = "moderator@example.com"
ADMIN = "admin@example.com"
COMPANY = "company@example.com"

ACCOUNTS = [
    DemoAccount(MEMBER, "Alex M.", password="demo-member-pass"),
    DemoAccount(MODERATOR, "Moderator", password="demo-moderator-pass", is_moderator=True),
    DemoAccount(ADMIN, "Administrator", password="demo-admin-pass", is_admin=True),
    DemoAccount(COMPANY, "Customer care", password="demo-company-pass"),
    DemoAccount("dana.k@example.com", "Dana K."),
    DemoAccount("ray.h@example.com", "Ray H."),
    DemoAccount("priya.s@example.com", "Priya S."),
    DemoAccount("liam.o@example.com", "Liam O."),
    DemoAccount("oleg.v@example.com", "Олег В."),
    DemoAccount("irina.p@example.com", "Ирина П."),
    DemoAccount("juergen.h@example.com", "Jürgen H."),
    DemoAccount("katrin.s@example.com", "Katrin S."),
    DemoAccount("erik.l@example.com", "Erik L."),
    DemoAccount("maja.n@example.com", "Maja N."),
    # Representatives who answer for the made-up companies, at those companies' domains.
    DemoAccount("care@bluebonnet-wireless.example", "Bluebonnet customer care"),
    DemoAccount("kundenservice@elektro-brandt.example", "Elektro Brandt Kundenservice"),
    DemoAccount("kundservice@nordnat.example", "Nordnät kundservice"),
]

INDUSTRIES = [
    DemoIndustry("internet-providers", "Internet providers", "Home broadband: fibre, cable and DSL."),
    DemoIndustry("telecoms", "Telecoms and mobile", "Phone lines, mobile plans and number transfers."),
    DemoIndustry("electronics-shops", "Electronics shops", "Household appliances and electronics, in store and online."),
    DemoIndustry("parcel-delivery", "Parcel delivery", "Couriers and parcel services."),
    DemoIndustry("energy", "Electricity and gas", "Energy suppliers and municipal utilities."),
]

COMPANIES = [
    DemoCompany(
        name="2KOM", industry="internet-providers", country="RU",
        website="https://www.2kom.ru", domains=("2kom.ru",), aliases=("2КОМ", "ООО «2КОМ»"),
        description="Home internet and television provider in Moscow.",
    ),
    DemoCompany(
        name="Ростелеком", industry="telecoms", country="RU",
        website="https://www.rt.ru", domains=("rt.ru",), aliases=("Rostelecom", "ПАО «Ростелеком»"),
        description="Национальный оператор связи: домашний интернет, телефон и телевидение.",
    ),
    DemoCompany(
        name="Deltacom", industry="telecoms", country="US",
        website="https://www.deltacom.example", domains=("deltacom.example",), aliases=("DeltaCom", "ITC DeltaCom"),
        description="Business and home phone lines, internet and long distance in the south-eastern United States.",
    ),
    DemoCompany(
        name="Bluebonnet Wireless", industry="telecoms", country="US",
        website="https://bluebonnet-wireless.example", domains=("bluebonnet-wireless.example", "bluebonnet.example"),
        aliases=("Bluebonnet", "Bluebonnet Mobile"),
        description="Prepaid and contract mobile plans in Texas and Oklahoma.",
    ),
    DemoCompany(
        name="Elektro Brandt", industry="electronics-shops", country="DE",
        website="https://www.elektro-brandt.example", domains=("elektro-brandt.example",),
        aliases=("Elektro Brandt GmbH", "Brandt Elektromarkt"),
        description="Household appliances and consumer electronics: four stores in Lower Saxony and an online shop.",
    ),
    DemoCompany(
        name="Paketblitz", industry="parcel-delivery", country="DE",
        website="https://paketblitz.example", domains=("paketblitz.example",), aliases=("Paket-Blitz", "Paketblitz Logistik"),
        description="Parcel and same-day courier service in German cities.",
    ),
    DemoCompany(
        name="Stadtwerke Ahrensfeld", industry="energy", country="DE",
        website="https://www.stadtwerke-ahrensfeld.example", domains=("stadtwerke-ahrensfeld.example",),
        aliases=("SWA", "Stadtwerke Ahrensfeld GmbH"),
        description="Municipal supplier of electricity, gas and water.",
    ),
    DemoCompany(
        name="Nordnät Bredband", industry="internet-providers", country="SE",
        website="https://nordnat.example", domains=("nordnat.example",), aliases=("Nordnät", "Nordnat Bredband AB"),
        description="Fibre and DSL broadband for households across central Sweden.",
        contact=(
            ("support_phone", "+46 771 40 40 40"), ("support_email", "kundservice@nordnat.example"),
            ("support_url", "https://nordnat.example/kundservice"), ("opening_hours", "Mån–fre 8–20, lör 10–16"),
            ("answering_hours", "Vardagar 8–17; vi svarar inom en arbetsdag"),
        ),
    ),
    DemoCompany(
        name="Stadsfiber Väst", industry="internet-providers", country="SE",
        website="https://stadsfiber.example", domains=("stadsfiber.example",), aliases=("Stadsfiber", "Stadsfiber Väst AB"),
        description="Builds and runs open city fibre networks in western Sweden.",
    ),
    DemoCompany(
        name="Fjällnet Mobil", industry="telecoms", country="SE",
        website="https://fjallnet.example", domains=("fjallnet.example",), aliases=("Fjällnet", "Fjällnet Mobil AB"),
        description="Mobile and mobile broadband subscriptions across Sweden.",
    ),
]

COMPLAINTS = [
    # English: telecoms in the US, and two people abroad.
    DemoComplaint(
        author="dana.k@example.com", company="Deltacom", language="en", month=0, at=0.35, days_before=23,
        title="Office lines dead for three weeks and we never hear from them on status",
        paragraphs=(
            "I run a small dental practice with four phone lines from Deltacom. Three weeks ago all four lines "
            "went silent on a Tuesday morning. Patients could not reach us to book, cancel or ask about pain after "
            "treatment, which for a dental office is not a small thing.",
            "I reported the fault the same morning and got a ticket number. Since then I have called the business "
            "support line nine times. Each time I am told the ticket is \"escalated\" and that someone will call me "
            "back with an update. Nobody has ever called back. We never hear from them on status unless we chase "
            "them, and when we do, the answer is the same sentence read from a screen.",
            "A technician came once, on the ninth day, checked the box in our building and said the problem was "
            "\"upstream\" at the exchange. He could not tell me who handles that or how long it takes.",
            "We have forwarded our main number to a mobile at our own cost, and my receptionist spends half her day "
            "on it. I am not asking for miracles. I want a straight answer about what is broken and when it will be "
            "fixed, and I want the three weeks of service we paid for and did not get credited back.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("389.85"), currency="USD",
        account_number="DC-BUS-40512", reachable_times="Weekdays 7:30–9:00 before patients arrive, or 12–1",
    ),
    DemoComplaint(
        author="dana.k@example.com", company="Deltacom", language="en", month=2, at=0.4, days_before=40,
        title="Still billed for a fax line we cancelled in writing",
        paragraphs=(
            "When our practice moved its insurance paperwork online, we no longer needed the fax line Deltacom had "
            "provided for years. I cancelled it by certified letter and kept the receipt. The letter named the line "
            "and the account and asked for written confirmation.",
            "No confirmation came. The next bill still showed the fax line, so I called. The agent said the "
            "cancellation was \"in process\" and the charge would be reversed on the following statement. It was "
            "not. It has now appeared on three more statements.",
            "Every call ends with a promise of a credit, and every credit fails to arrive. Nobody can even tell me "
            "whether the line is actually disconnected, and we never hear a word from them unless we phone.",
            "I want the disconnection confirmed in writing and every charge since my letter refunded.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("214.50"), currency="USD", account_number="DC-BUS-40512",
    ),
    DemoComplaint(
        author=MEMBER, company="Bluebonnet Wireless", language="en", month=1, at=0.55, days_before=18,
        title="Stuck in phone tag between Bluebonnet and Deltacom over my number transfer",
        paragraphs=(
            "I am moving my home phone number from Deltacom to a Bluebonnet Wireless plan. I have had this number "
            "for fourteen years and my mother and her doctors know it, so keeping it matters.",
            "Bluebonnet started the transfer in the store. Four days later it was rejected because the account "
            "details \"did not match\". Deltacom says the details are correct and Bluebonnet must resubmit. "
            "Bluebonnet says Deltacom must release the number first. Each side tells me to call the other.",
            "The worst part is the callbacks. Both companies promise to call me back, and both call in the middle "
            "of my shift when I cannot answer. When I call back I wait in a queue and start again with someone new. "
            "This time I have given the times when I can be reached, in the hope that someone uses them.",
            "For nearly three weeks I have had no home line, and the number is in limbo. I would like one person, "
            "from either company, to take ownership, finish the transfer, and call me when I can actually pick up.",
        ),
        desired_outcome=Outcome.OTHER, account_number="BB-7730",
        reachable_times="Weekdays after 5:30 pm Central, or any time on Saturday",
    ),
    DemoComplaint(
        author=MEMBER, company="Bluebonnet Wireless", language="en", month=0, at=0.7, days_before=9,
        title="Replacement phone shipped to an old address, and now I am charged for it",
        paragraphs=(
            "My phone stopped charging while it was still covered by Bluebonnet's device protection plan. The claim "
            "was approved and I was told a replacement would ship within two business days.",
            "I checked the address with the agent, yet the phone went to the address I left two years ago. The "
            "tracking shows it was signed for by someone I do not know. Bluebonnet says that because the parcel was "
            "delivered the claim is closed, and it has now charged me the full retail price because my broken phone "
            "\"was not returned\".",
            "I cannot send the old phone back before I have a new one to move my things to, and the new one never "
            "reached me. I have been using an old spare with a cracked screen for over a week.",
            "Please reverse the charge and send the replacement to my current address, which has been on my account "
            "for two years.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("649.00"), currency="USD", account_number="BB-7730",
    ),
    DemoComplaint(
        author="ray.h@example.com", company="Bluebonnet Wireless", language="en", month=2, at=0.75, days_before=30,
        title="Loyalty discount promised on the phone, bill went up instead",
        paragraphs=(
            "I have been with Bluebonnet for nine years. At the end of the summer I called to say I was thinking of "
            "leaving, because another carrier offered the same plan for less. The agent offered a loyalty discount of "
            "fifteen dollars a month for twelve months if I stayed, and I agreed.",
            "The next bill was higher, not lower. There was no discount, and a new \"plan maintenance fee\" had "
            "appeared. Customer service says there is no note of a discount on my account and the fee applies to "
            "everyone.",
            "Nobody mentioned a fee when I agreed to stay. I would not have stayed if I had known my bill would go up.",
            "I would like the discount I was promised for the full twelve months, the fee removed, and an "
            "explanation of why a promise made by your own agent does not count.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("180.00"), currency="USD",
    ),
    DemoComplaint(
        author="ray.h@example.com", company="Deltacom", language="en", month=1, at=0.8, days_before=14,
        title="Outage credit promised twice, never applied",
        paragraphs=(
            "Our home internet and phone from Deltacom were down for six days after a storm. Storms happen and I was "
            "patient. When service came back I called to ask for a credit for the days we had nothing, and the agent "
            "said a credit for the whole week would be on my next bill.",
            "It was not. I called again and was told the first agent had \"not submitted it correctly\" and that it "
            "would be on the following bill. It was not there either.",
            "Every call means about forty minutes on hold, and nobody ever follows up. We never hear from them on "
            "status; the only way to learn anything is to call again and start from the beginning.",
            "The amount is small, but it is the principle. I want the credit I was promised twice, and I want to know "
            "why two agents' promises were never recorded.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("45.00"), currency="USD",
    ),
    DemoComplaint(
        author="priya.s@example.com", company="Paketblitz", language="en", month=0, at=0.2, days_before=12,
        title="Parcel \"delivered to a neighbour\" in a flat that does not exist",
        paragraphs=(
            "I live in Berlin and ordered running shoes from an online shop, which handed the parcel to Paketblitz. "
            "The tracking page says it was left with a neighbour in flat 9. Our building has eight flats.",
            "I knocked on every door anyway. Nobody has it, and there was no card in my letterbox.",
            "The shop says the parcel is the courier's responsibility once it leaves their warehouse. Paketblitz's "
            "online form says only the sender can open an investigation. Each of them sends me to the other, and "
            "the shoes are nowhere.",
            "I would like Paketblitz to find out what their driver did with my parcel and either deliver it or "
            "confirm to the shop in writing that it is lost, so that I can get my money back.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("129.90"), currency="EUR",
    ),
    DemoComplaint(
        author="liam.o@example.com", company="Stadsfiber Väst", language="en", month=1, at=0.3, days_before=35,
        title="Fibre installation postponed four times, each time on the morning itself",
        paragraphs=(
            "We signed up for Stadsfiber Väst's fibre when the network reached our street in Gothenburg. The "
            "installation was booked for a Thursday, and I took a day off work to be at home.",
            "Nobody came. In the afternoon a text message said the appointment had been \"rescheduled\". The same "
            "happened on the next three dates, and every cancellation arrived on the morning itself, after I had "
            "arranged to stay home. I have now used four days of leave.",
            "Meanwhile we cancelled our old broadband, as the welcome letter told us to, so for over a month we have "
            "lived on mobile data. Both of us work from home part of the week.",
            "Building a network brings delays, I understand that. What I cannot accept is being told on the morning, "
            "every time. I want an installation date that is kept and compensation for the mobile data we bought "
            "while waiting.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("1500.00"), currency="SEK",
        reachable_times="Mondays and Fridays, when I work from home",
    ),
    # Russian: the 2KOM story and a national operator.
    DemoComplaint(
        author="oleg.v@example.com", company="2KOM", language="ru", month=1, at=0.1, days_before=16,
        title="Десять дней без интернета, и никто не отвечает на заявки",
        paragraphs=(
            "Я абонент 2КОМ уже шесть лет, живу в Москве. Десять дней назад у меня пропал интернет: роутер "
            "включён, но соединения нет. Я перезагрузил всё, что можно, и проверил кабель в квартире — с моей "
            "стороны всё в порядке.",
            "В тот же день я оставил заявку в личном кабинете. На следующий день позвонил в поддержку: оператор "
            "сказал, что заявка передана мастеру и со мной свяжутся в течение суток. Никто не связался. С тех пор "
            "я оставил ещё три заявки и звонил пять раз. Каждый раз обещают перезвонить, и каждый раз тишина.",
            "Я работаю из дома и все эти дни раздаю интернет с телефона и докупаю трафик. Абонентскую плату при "
            "этом списали полностью, как будто ничего не случилось.",
            "Пишу здесь, потому что по-другому до вас, похоже, не достучаться. Прошу восстановить подключение, "
            "объяснить письменно, что произошло, и сделать перерасчёт за дни без связи.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("300.00"), currency="RUB",
        account_number="2K-118204", reachable_times="будни после 19:00",
        reachable_days="01234", reachable_from=time(19, 0), reachable_until=time(22, 0),
    ),
    DemoComplaint(
        author="oleg.v@example.com", company="2KOM", language="ru", month=2, at=0.5, days_before=21,
        title="Перевели на дорогой тариф без моего согласия",
        paragraphs=(
            "В начале месяца я заметил, что с моего счёта списали на 200 рублей больше обычного. Оказалось, что "
            "меня перевели с тарифа, которым я пользовался четыре года, на новый, более дорогой, «в связи с "
            "модернизацией сети».",
            "Никакого уведомления я не получал: ни письма, ни СМС, ни сообщения в личном кабинете. Скорость на "
            "новом тарифе выше, но она мне не нужна — старый тариф меня полностью устраивал.",
            "В поддержке сказали, что старый тариф «в архиве» и вернуть его нельзя. При этом в договоре написано, "
            "что об изменении условий абонента предупреждают заранее.",
            "Прошу вернуть мне прежний тариф или равный ему по цене и вернуть разницу за все месяцы, пока "
            "действовал новый.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("600.00"), currency="RUB", account_number="2K-118204",
    ),
    DemoComplaint(
        author="irina.p@example.com", company="2KOM", language="ru", month=0, at=0.65, days_before=25,
        title="Вечером скорость в пять раз ниже заявленной",
        paragraphs=(
            "По договору у меня тариф 500 Мбит/с. Днём всё работает нормально, но каждый вечер примерно с восьми "
            "до полуночи скорость падает до 80–100 Мбит/с, а видео постоянно останавливается.",
            "Я измеряла скорость по кабелю, без Wi-Fi, на разных серверах и записывала результаты две недели "
            "подряд. Каждый вечер одно и то же. Поддержка отвечает по шаблону: «перезагрузите роутер» и "
            "«проверьте на другом устройстве». Всё это я сделала ещё до обращения.",
            "Похоже, оборудование в нашем доме просто перегружено. Я хочу честного ответа: будет ли это исправлено "
            "и когда. Если нет — прошу расторгнуть договор без штрафа и принять приставку обратно бесплатно.",
        ),
        desired_outcome=Outcome.EXPLANATION,
    ),
    DemoComplaint(
        author="irina.p@example.com", company="Ростелеком", language="ru", month=0, at=0.55, days_before=8,
        title="Мастер трижды не пришёл на подключение",
        paragraphs=(
            "Мы переехали в новую квартиру и заказали у Ростелекома подключение интернета и телевидения. "
            "Подключение назначили на субботу, с 10 до 14 часов. Мастер не пришёл и не позвонил.",
            "В понедельник я перезвонила, визит перенесли на среду. Я отпросилась с работы и ждала весь день — "
            "снова никого. В третий раз, в пятницу вечером, история повторилась, только за час до конца окна "
            "пришло СМС, что заявка «перенесена по техническим причинам».",
            "Три раза я меняла свои планы и сидела дома, а в ответ не получила даже извинения. На горячей линии "
            "каждый раз говорят, что «мастера перегружены».",
            "Прошу извиниться, назвать дату подключения, которую действительно соблюдут, и заранее предупреждать, "
            "если что-то меняется.",
        ),
        desired_outcome=Outcome.APOLOGY, reachable_times="будни после 18:00, выходные весь день",
    ),
    DemoComplaint(
        author="irina.p@example.com", company="Ростелеком", language="ru", month=1, at=0.15, days_before=20,
        title="Списывают деньги за подписку, которую никто не подключал",
        paragraphs=(
            "Уже три месяца подряд в счёте за мамин домашний телефон появляется строка «Антивирус, расширенная "
            "защита» — 299 рублей в месяц. Мама никогда не заказывала эту услугу, и компьютера у неё нет.",
            "В поддержке сказали, что подписку подключили «через личный кабинет». Но личного кабинета у нас нет, "
            "мы его никогда не создавали. Когда я попросила показать, когда и откуда было подключение, мне "
            "ответили, что такую информацию не предоставляют.",
            "Подписку в итоге отключили, но деньги возвращать отказываются: «услуга была оказана».",
            "Прошу вернуть все списания за эту подписку и объяснить, как она могла появиться без нашего согласия.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("897.00"), currency="RUB",
    ),
    DemoComplaint(
        author="irina.p@example.com", company="Ростелеком", language="ru", month=2, at=0.25, days_before=45,
        is_anonymous=True,
        title="Второй месяц не могу расторгнуть договор",
        paragraphs=(
            "После переезда мне больше не нужен домашний телефон по старому адресу. Я пришла в офис Ростелекома с "
            "паспортом и написала заявление о расторжении договора. Сотрудница приняла его и сказала, что договор "
            "закроют в течение десяти дней.",
            "Прошло семь недель. Счета приходят, номер по-прежнему активен. В поддержке говорят, что заявление "
            "«не найдено», и предлагают прийти в офис ещё раз.",
            "У меня на руках копия заявления с отметкой о приёме. Я не понимаю, почему должна снова тратить полдня "
            "из-за того, что потеряли мою бумагу.",
            "Прошу закрыть договор с даты подачи заявления и не начислять плату после неё.",
        ),
        desired_outcome=Outcome.CANCEL, amount=Decimal("580.00"), currency="RUB",
    ),
    # German: a shop that refused to exchange a faulty item, a courier, a utility.
    DemoComplaint(
        author="katrin.s@example.com", company="Elektro Brandt", language="de", month=1, at=0.6, days_before=19,
        title="Defekter Wasserkocher: Umtausch verweigert, obwohl erst drei Wochen alt",
        paragraphs=(
            "Ich habe in einer Filiale von Elektro Brandt einen Wasserkocher für 49,99 Euro gekauft. Nach knapp drei "
            "Wochen schaltete er sich nicht mehr ab, wenn das Wasser kochte, sondern heizte weiter, bis der "
            "Überhitzungsschutz auslöste. Das ist nicht nur ärgerlich, sondern gefährlich.",
            "Ich bin mit Gerät, Originalverpackung und Kassenbon in die Filiale gegangen und habe um einen Umtausch "
            "gebeten. Der Mitarbeiter hat abgelehnt: Umtausch gebe es nur bei ungeöffneter Ware, bei Defekten solle "
            "ich mich an den Hersteller wenden. Auf die gesetzliche Gewährleistung angesprochen, sagte er, das sei "
            "„nicht seine Abteilung“. Einen Vorgesetzten konnte er nicht holen.",
            "Soweit ich weiß, ist bei einem Mangel der Händler mein Ansprechpartner und nicht der Hersteller. Ich "
            "möchte nicht wochenlang auf eine Herstellerreparatur warten, für ein Gerät, das ich jeden Tag brauche.",
            "Ich bitte um einen Austausch gegen ein einwandfreies Gerät oder um die Erstattung des Kaufpreises. Den "
            "Kassenbon habe ich angehängt.",
        ),
        desired_outcome=Outcome.REPAIR, amount=Decimal("49.99"), currency="EUR",
        receipt=DemoReceipt(
            file_name="kassenbon.png", days_before_incident=20,
            lines=(
                "ELEKTRO BRANDT", "Filiale Celle", "", ("Wasserkocher WK-2200", "49,99"), "",
                ("SUMME EUR", "49,99"), ("BAR", "50,00"), ("Rueckgeld", "0,01"), "", "Vielen Dank fuer Ihren Einkauf!",
            ),
        ),
    ),
    DemoComplaint(
        author="juergen.h@example.com", company="Elektro Brandt", language="de", month=0, at=0.45, days_before=60,
        title="Waschmaschine nach drei Wochen defekt, Reparatur dauert seit zwei Monaten",
        paragraphs=(
            "Wir haben bei Elektro Brandt online eine Waschmaschine für 579 Euro gekauft, mit Lieferung und "
            "Anschluss. Nach drei Wochen zeigte sie einen Fehlercode und pumpte das Wasser nicht mehr ab.",
            "Die Reparatur wurde sofort angemeldet. Der erste Techniker kam nach zehn Tagen, stellte eine defekte "
            "Pumpe fest und bestellte ein Ersatzteil. Seitdem warten wir. Bei jedem Anruf heißt es, das Teil sei "
            "„unterwegs“. Einen Liefertermin kann uns niemand nennen.",
            "Wir sind eine Familie mit zwei kleinen Kindern und gehen seit zwei Monaten in den Waschsalon. Das "
            "kostet Zeit und Geld, das uns niemand ersetzt.",
            "Nach so langer Zeit möchten wir keine Reparatur mehr, sondern eine neue Maschine oder das Geld zurück, "
            "und eine Beteiligung an den Kosten für den Waschsalon.",
        ),
        desired_outcome=Outcome.REPAIR, amount=Decimal("579.00"), currency="EUR",
        receipt=DemoReceipt(
            file_name="rechnung-waschmaschine.png", days_before_incident=21,
            lines=(
                "ELEKTRO BRANDT Onlineshop", "Rechnung", "", ("Waschmaschine WM 714", "549,00"),
                ("Lieferung und Anschluss", "30,00"), "", ("GESAMT EUR", "579,00"), "bezahlt per Lastschrift",
            ),
        ),
    ),
    DemoComplaint(
        author="juergen.h@example.com", company="Paketblitz", language="de", month=2, at=0.6, days_before=10,
        title="Fernseher mit gesprungenem Display zugestellt, Fahrer wollte den Schaden nicht aufnehmen",
        paragraphs=(
            "Unser neuer Fernseher wurde von Paketblitz geliefert. Der Karton hatte an einer Ecke ein großes Loch "
            "und war eingedrückt. Ich habe den Fahrer gebeten, den Schaden auf seinem Gerät zu vermerken, bevor ich "
            "unterschreibe. Er sagte, dafür habe er keine Zeit, ich solle unterschreiben und den Schaden später "
            "melden.",
            "Beim Auspacken war das Display gesprungen. Ich habe noch am selben Abend Fotos gemacht und den Schaden "
            "über das Formular auf der Website gemeldet. Nach einer Woche kam eine automatische Antwort: Da die "
            "Sendung „ohne Vorbehalt“ angenommen wurde, könne kein Schaden anerkannt werden.",
            "Der Händler verweist auf Paketblitz, Paketblitz auf den Händler. Im Wohnzimmer steht ein kaputter "
            "Fernseher, und niemand fühlt sich zuständig.",
            "Ich erwarte, dass Paketblitz den Transportschaden anerkennt, damit der Händler das Gerät ersetzen kann, "
            "und dass die Fahrer angewiesen werden, Schäden bei der Übergabe aufzunehmen.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("449.00"), currency="EUR",
    ),
    DemoComplaint(
        author="katrin.s@example.com", company="Stadtwerke Ahrensfeld", language="de", month=1, at=0.9, days_before=6,
        title="Abschlag ohne Erklärung verdoppelt",
        paragraphs=(
            "Die Stadtwerke haben meinen monatlichen Abschlag für Strom von 42 auf 84 Euro erhöht. Im Schreiben stand "
            "keine Begründung, nur der neue Betrag und das Datum der ersten Abbuchung.",
            "Mein Verbrauch ist nicht gestiegen, eher im Gegenteil: Seit dem Frühjahr wohne ich allein. Der "
            "Zählerstand, den ich bei der letzten Ablesung selbst gemeldet habe, bestätigt das.",
            "Ich habe zweimal angerufen. Beim ersten Mal flog ich nach zwanzig Minuten aus der Warteschleife, beim "
            "zweiten Mal hieß es, die Erhöhung sei „vom System berechnet“ und könne nicht erklärt werden.",
            "Ich möchte wissen, wie dieser Betrag zustande kommt, und bitte darum, den Abschlag nach meinem "
            "tatsächlichen Verbrauch neu festzusetzen.",
        ),
        desired_outcome=Outcome.EXPLANATION, amount=Decimal("42.00"), currency="EUR",
        account_number="Vertragskonto 7004-118",
    ),
    DemoComplaint(
        author="katrin.s@example.com", company="Stadtwerke Ahrensfeld", language="de", month=2, at=0.15,
        days_before=28,
        title="Gasvertrag der alten Wohnung gekündigt, trotzdem wird weiter abgebucht",
        paragraphs=(
            "Nach meinem Umzug innerhalb der Stadt habe ich den Gasvertrag für die alte Wohnung fristgerecht "
            "gekündigt und den Zählerstand beim Auszug mit Foto gemeldet. Für die neue Wohnung habe ich gleichzeitig "
            "einen Vertrag bei den Stadtwerken abgeschlossen.",
            "Eine Kündigungsbestätigung kam nie. Stattdessen buchen die Stadtwerke weiter den Abschlag für die alte "
            "Wohnung ab, inzwischen zum vierten Mal, zusätzlich zu dem für die neue.",
            "Mein Nachmieter hat mir erzählt, dass er selbst einen Vertrag mit den Stadtwerken hat. Für denselben "
            "Zähler wird also doppelt kassiert.",
            "Ich bitte um eine schriftliche Bestätigung der Kündigung zum Auszugsdatum und um die Rückzahlung aller "
            "Abschläge, die danach abgebucht wurden.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("168.00"), currency="EUR",
    ),
    # Swedish: broadband providers and a customer service.
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=0, at=0.85, days_before=13,
        title="Bredbandet har legat nere i tio dagar och ingen hör av sig",
        paragraphs=(
            "Vårt bredband från Nordnät slutade fungera en måndag morgon för tio dagar sedan. Routern får ingen "
            "kontakt alls. Jag felanmälde samma dag och fick ett automatiskt svar om att ärendet var mottaget.",
            "Sedan dess har jag ringt fyra gånger. Varje gång väntar jag i över en halvtimme, och varje gång säger "
            "kundtjänst att en tekniker ska höra av sig \"inom kort\". Ingen har hört av sig. På sidan för "
            "driftstörningar står det att allt fungerar normalt i vårt område.",
            "Vi är två vuxna som jobbar hemifrån och ett barn som behöver internet till skolarbetet. Vi har köpt "
            "extra surf till mobilerna för att klara oss, och månadsavgiften har dragits som vanligt.",
            "Jag vill att felet åtgärdas, att någon hör av sig och berättar vad som är fel, och att vi får avdrag "
            "för tiden utan bredband och ersättning för den extra surfen.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("650.00"), currency="SEK",
        account_number="NN-55120", reachable_times="vardagar efter 16",
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=2, at=0.85, days_before=20,
        title="Priset höjdes efter kampanjen utan att vi fick veta något",
        paragraphs=(
            "Vi tecknade Nordnäts fiberabonnemang till kampanjpriset 299 kronor i månaden. På hemsidan stod det att "
            "priset efter kampanjen skulle bli 449 kronor. När kampanjen tog slut blev det i stället 549 kronor.",
            "Vi fick inget besked om höjningen, varken per brev, i appen eller på fakturan innan. Kundtjänst säger "
            "att ordinarie pris har höjts för alla och att informationen \"finns på hemsidan\".",
            "Det räcker inte att lägga ut en ny prislista på hemsidan. Enligt avtalsvillkoren ska kunden meddelas i "
            "förväg när priset ändras.",
            "Jag vill att vi debiteras det pris som gällde när vi tecknade avtalet och att mellanskillnaden betalas "
            "tillbaka för de månader vi redan har betalat.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("300.00"), currency="SEK", account_number="NN-55120",
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Fjällnet Mobil", language="sv", month=1, at=0.7, days_before=4,
        title="45 minuter i telefonkö och sedan fel svar, tre gånger",
        paragraphs=(
            "Jag läste nyligen om undersökningen där 23 kundtjänster jämfördes på väntetid, bemötande, kunskap och "
            "vilja att lösa problemet. Efter den senaste månaden förstår jag varför den behövdes.",
            "Mitt ärende är enkelt: jag vill gå från kontantkort till abonnemang och behålla mitt nummer. Första "
            "gången jag ringde väntade jag i 45 minuter och fick sedan veta att det bara går att göra i butik. I "
            "butiken sa de att det bara går att göra via kundtjänst.",
            "Andra gången lovade handläggaren att ordna det och ringa tillbaka. Ingen ringde. Tredje gången fick jag "
            "ett nytt svar: att mitt nummer inte går att flytta alls, fast det står på er egen hemsida att det går.",
            "Alla har varit vänliga, men ingen verkar veta hur det ska gå till och ingen tar ansvar för ärendet. Jag "
            "vill att en person tar hand om det från början till slut, och jag vill veta varför jag har fått tre "
            "olika svar.",
        ),
        desired_outcome=Outcome.EXPLANATION, reachable_times="vardagar 12–13 och efter 17",
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Fjällnet Mobil", language="sv", month=0, at=0.95, days_before=11,
        is_anonymous=True,
        title="Roamingavgifter på 1 240 kronor trots att jag hade köpt resepaket",
        paragraphs=(
            "Innan en arbetsresa till Kanada köpte jag Fjällnets resepaket för länder utanför EU, 10 GB i en vecka. "
            "Jag fick ett sms om att paketet var aktiverat.",
            "Ändå kom en faktura med roamingavgifter på 1 240 kronor för surf under just den veckan. Enligt "
            "kundtjänst aktiverades paketet \"först när jag landade\", men avgifterna gäller hela resan, också "
            "dagarna efter att paketet var aktivt.",
            "Jag har skärmbilder på sms:et och på appen där paketet visas som aktivt. Kundtjänst lovade att titta på "
            "saken, men efter två veckor har inget hänt och nu har fakturan gått till påminnelse.",
            "Jag vill att roamingavgifterna tas bort och att påminnelseavgiften stryks medan ärendet utreds.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("1240.00"), currency="SEK",
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Stadsfiber Väst", language="sv", month=2, at=0.05, days_before=150,
        title="Grävde upp trädgården för fibern och lämnade den så",
        paragraphs=(
            "Stadsfiber Väst äger fibernätet som vårt bredband går i. När de drog fiber till vårt hus grävde "
            "entreprenören ett dike tvärs över trädgården. Vi fick höra att allt skulle återställas inom två veckor "
            "efter att kabeln var nedlagd.",
            "Nu har det gått nästan ett halvår. Diket är igenfyllt, men gräsmattan är en lerig sträng med stenar, "
            "och plattorna vid entrén ligger lösa och sneda. Min pappa snubblade på dem i somras.",
            "Jag har skickat bilder till Stadsfibers kundtjänst tre gånger. Svaret är alltid att ärendet har skickats "
            "vidare till entreprenören. Entreprenören säger att de väntar på en beställning från Stadsfiber.",
            "Jag vill att trädgården och plattorna återställs som de var, eller att vi får ersättning så att vi kan "
            "anlita någon själva.",
        ),
        desired_outcome=Outcome.REPAIR, amount=Decimal("3500.00"), currency="SEK",
    ),
    # A year of Deltacom and Nordnät Bredband: enough evaluated complaints for each to have a
    # reputation score. Deltacom answers late or not at all and rarely solves anything;
    # Nordnät answers within the day and mostly does. Short stories, spread over ten months.
    DemoComplaint(
        author="dana.k@example.com", company="Deltacom", language="en", month=9, at=0.3, days_before=12,
        title="Installation fee charged twice for one new line",
        paragraphs=(
            "When we added a fifth line for our new hygienist's room, Deltacom charged the installation fee of "
            "125 dollars on two statements in a row.",
            "The agent agreed it was a duplicate and promised a reversal within one billing cycle. Two cycles later "
            "it is still there.",
            "I want the duplicate fee refunded and a note on the account, so that we do not have to argue about it "
            "again.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("125.00"), currency="USD", account_number="DC-BUS-40512",
    ),
    DemoComplaint(
        author="ray.h@example.com", company="Deltacom", language="en", month=8, at=0.6, days_before=16,
        title="Internet drops every evening, technician cancelled twice",
        paragraphs=(
            "For weeks our Deltacom internet has dropped several times every evening, usually just as the kids "
            "start their homework.",
            "A technician visit was booked twice and cancelled twice by text message on the morning itself. Nobody "
            "offered a new date.",
            "I would like a technician who actually comes, and a credit for the weeks we have paid for a connection "
            "that does not hold.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("60.00"), currency="USD",
    ),
    DemoComplaint(
        author="priya.s@example.com", company="Deltacom", language="en", month=7, at=0.2, days_before=6,
        title="My father's landline cut off although every bill was paid",
        paragraphs=(
            "I look after my father's Deltacom landline in Atlanta from Berlin, and the bills are paid by direct "
            "debit. Last week the line was cut off for \"non-payment\".",
            "My father is eighty-one, and the landline is how his doctor and his neighbours reach him. The bank "
            "statement shows that every payment went through.",
            "Please reconnect the line today and explain how a paid account could be disconnected.",
        ),
        desired_outcome=Outcome.OTHER,
    ),
    DemoComplaint(
        author="liam.o@example.com", company="Deltacom", language="en", month=6, at=0.5, days_before=45,
        title="Bills keep coming for my late mother's line, cancelled two months ago",
        paragraphs=(
            "After my mother died I cancelled her Deltacom phone line in Chattanooga and sent the death "
            "certificate, as the agent asked.",
            "Two months later the bills keep coming, addressed to her and now with late fees. Each time I call I am "
            "asked to send the certificate again.",
            "I want the account closed from the day I called, the late fees removed, and no more letters addressed "
            "to my mother.",
        ),
        desired_outcome=Outcome.CANCEL, amount=Decimal("96.40"), currency="USD",
    ),
    DemoComplaint(
        author="dana.k@example.com", company="Deltacom", language="en", month=5, at=0.7, days_before=10,
        title="Card terminal line dead since a \"routine upgrade\"",
        paragraphs=(
            "Deltacom carried out a \"routine upgrade\" in our building on a Friday. Since then the line our card "
            "terminal uses has had no dial tone.",
            "For ten days patients have had to pay by cheque or come back later. Support says the upgrade was "
            "successful and closes the ticket.",
            "Please send someone who can find out what the upgrade changed, and credit the line for the days it "
            "has not worked.",
        ),
        desired_outcome=Outcome.REPAIR, account_number="DC-BUS-40512",
    ),
    DemoComplaint(
        author="ray.h@example.com", company="Deltacom", language="en", month=4, at=0.35, days_before=20,
        title="Paid for a speed upgrade that was never switched on",
        paragraphs=(
            "Three weeks ago I moved our internet plan up to the faster tier, and the new price is already on the "
            "bill.",
            "Every speed test still shows the old speed, by cable and over wi-fi. Support tells me the change can "
            "take up to thirty days.",
            "I want the speed I am paying for, or the old price until it works.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("20.00"), currency="USD",
    ),
    DemoComplaint(
        author="priya.s@example.com", company="Deltacom", language="en", month=3, at=0.8, days_before=25,
        title="Long-distance charges on a plan sold as unlimited",
        paragraphs=(
            "My father's Deltacom plan was sold to him as \"unlimited calling in the US\". His last bill has 38 "
            "dollars of long-distance charges for calls to my aunt in Ohio.",
            "Deltacom now says the plan is unlimited only within the state. Nobody told him that, and the letter "
            "confirming his order does not say so either.",
            "I ask for the charges to be refunded and for the plan to be one that is really unlimited, at the price "
            "he was quoted.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("38.00"), currency="USD",
    ),
    DemoComplaint(
        author="liam.o@example.com", company="Deltacom", language="en", month=2, at=0.65, days_before=30,
        title="Final bill sent to collections instead of to me",
        paragraphs=(
            "I asked Deltacom to send my mother's final bill to my address. It went to her empty house instead, "
            "and now a collection agency writes to me.",
            "I would have paid the bill the day it arrived. Nobody at Deltacom can tell me the amount or stop the "
            "collection.",
            "Please withdraw the debt from the agency and send me the final bill, so that I can pay it and close "
            "the account.",
        ),
        desired_outcome=Outcome.OTHER,
    ),
    DemoComplaint(
        author="ray.h@example.com", company="Deltacom", language="en", month=2, at=0.15, days_before=21,
        title="Charged for a modem I returned, and I have the receipt",
        paragraphs=(
            "When we got a new modem, I took the old one back to a Deltacom store and was given a return receipt.",
            "Three weeks later I was charged 150 dollars for an \"unreturned device\". I have sent a photo of the "
            "receipt twice.",
            "I want the charge reversed.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("150.00"), currency="USD",
    ),
    DemoComplaint(
        author="dana.k@example.com", company="Deltacom", language="en", month=1, at=0.25, days_before=9,
        title="Two hours on hold to change where the bills go",
        paragraphs=(
            "Our accountant now handles the practice's bills, so I asked Deltacom to send them to her office. "
            "After two hours on hold over three calls, nothing has changed.",
            "The online account says the billing address can only be changed by phone. The phone line says it can "
            "only be changed online.",
            "Please change the address, and tell me which is the right way for next time.",
        ),
        desired_outcome=Outcome.OTHER, account_number="DC-BUS-40512",
    ),
    DemoComplaint(
        author="ray.h@example.com", company="Deltacom", language="en", month=0, at=0.25, days_before=5,
        title="Phone line crackles whenever it rains",
        paragraphs=(
            "Our Deltacom home line crackles so badly whenever it rains that we cannot hold a conversation.",
            "The fault report on the website closes itself after two days with the message that the line tested "
            "fine.",
            "I would like a technician to look at the line while it is raining, not on a dry afternoon.",
        ),
        desired_outcome=Outcome.REPAIR,
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Nordnät Bredband", language="sv", month=9, at=0.4, days_before=8,
        title="Den nya routern tappar wifi flera gånger om dagen",
        paragraphs=(
            "Nordnät bytte ut vår router när nätet uppgraderades. Sedan dess tappar den wifi-anslutningen flera "
            "gånger om dagen.",
            "Jag har startat om den, flyttat den och återställt den enligt instruktionerna på hemsidan, utan att "
            "det hjälper.",
            "Jag vill ha en router som fungerar, eller få tillbaka den gamla.",
        ),
        desired_outcome=Outcome.REPAIR,
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=8, at=0.55, days_before=14,
        title="Fakturorna skickas fortfarande till vår gamla adress",
        paragraphs=(
            "Vi flyttade och anmälde den nya adressen till Nordnät samtidigt som vi flyttade abonnemanget.",
            "Bredbandet fungerar på den nya adressen, men fakturorna går fortfarande till den gamla. Nu har vi fått "
            "en påminnelse med avgift.",
            "Jag vill att adressen ändras och att påminnelseavgiften tas bort.",
        ),
        desired_outcome=Outcome.OTHER, amount=Decimal("60.00"), currency="SEK", account_number="NN-55120",
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Nordnät Bredband", language="sv", month=7, at=0.15, days_before=12,
        title="Fiberinstallationen sköts upp samma morgon",
        paragraphs=(
            "Installationen av fiber i vår lägenhet var bokad till en tisdag. Samma morgon kom ett sms om att den "
            "var flyttad tre veckor framåt.",
            "Vi hade redan sagt upp vårt gamla bredband till samma dag, så nu står vi utan uppkoppling.",
            "Jag vill ha en tidigare tid och ersättning för den mobilsurf vi måste köpa under tiden.",
        ),
        desired_outcome=Outcome.COMPENSATION, amount=Decimal("250.00"), currency="SEK",
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=6, at=0.7, days_before=3,
        title="Sommarstugans bredband stängdes av fast vi bara hade pausat det",
        paragraphs=(
            "Vi pausade bredbandet i sommarstugan i några månader, som Nordnät erbjuder. När jag aktiverade det "
            "igen i appen förblev anslutningen avstängd.",
            "Kundtjänst säger att pausen räknades som en uppsägning och att vi måste teckna ett nytt avtal till ett "
            "högre pris.",
            "Jag vill att vårt gamla avtal aktiveras igen, med samma villkor som förut.",
        ),
        desired_outcome=Outcome.OTHER,
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Nordnät Bredband", language="sv", month=5, at=0.5, days_before=9,
        title="Månadsavgiften drogs två gånger",
        paragraphs=(
            "Månadsavgiften för bredbandet drogs två gånger från mitt konto samma dag.",
            "I appen syns bara en betalning, men banken visar tydligt två dragningar på 399 kronor.",
            "Jag vill ha tillbaka den dubbla dragningen.",
        ),
        desired_outcome=Outcome.REFUND, amount=Decimal("399.00"), currency="SEK",
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=4, at=0.25, days_before=7,
        title="Uppkopplingen blir långsam varje kväll",
        paragraphs=(
            "Sedan en vecka tillbaka sjunker hastigheten till en bråkdel varje kväll mellan sju och elva.",
            "Jag har mätt med kabel direkt i routern, så det är inte vårt wifi.",
            "Jag vill att felet hittas och åtgärdas.",
        ),
        desired_outcome=Outcome.REPAIR, account_number="NN-55120",
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Nordnät Bredband", language="sv", month=3, at=0.6, days_before=5,
        title="Lovade att ringa upp efter fem men ringde mitt på dagen",
        paragraphs=(
            "Jag bad Nordnät ringa upp mig efter klockan fem om min uppsägningstid. De ringde klockan tio på "
            "förmiddagen, när jag satt i möte.",
            "Sedan dess har ingen hört av sig, och jag har fortfarande inte fått svar.",
            "Jag vill ha svar på min fråga, gärna skriftligt här.",
        ),
        desired_outcome=Outcome.EXPLANATION, reachable_times="vardagar efter 17",
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=2, at=0.45, days_before=10,
        title="Två tv-kanaler försvann ur paketet utan besked",
        paragraphs=(
            "Två av kanalerna i vårt tv-paket från Nordnät försvann en dag, bland annat den som barnen tittar mest "
            "på.",
            "Priset för paketet är detsamma, och vi fick inget besked om att innehållet skulle ändras.",
            "Jag vill ha tillbaka kanalerna eller betala ett lägre pris.",
        ),
        desired_outcome=Outcome.COMPENSATION,
    ),
    DemoComplaint(
        author="maja.n@example.com", company="Nordnät Bredband", language="sv", month=1, at=0.35, days_before=2,
        title="Avbrott en hel arbetsdag utan förvarning",
        paragraphs=(
            "I tisdags var bredbandet borta från åtta på morgonen till fem på eftermiddagen. Jag jobbar hemifrån "
            "och fick åka in till kontoret.",
            "Enligt driftinformationen var det ett planerat arbete, men vi fick ingen förvarning.",
            "Jag vill veta varför vi inte fick besked, och att ni varnar i förväg nästa gång.",
        ),
        desired_outcome=Outcome.EXPLANATION,
    ),
    DemoComplaint(
        author="erik.l@example.com", company="Nordnät Bredband", language="sv", month=0, at=0.4, days_before=4,
        title="Uppsägningen av den fasta telefonin bekräftades aldrig",
        paragraphs=(
            "Jag sa upp den fasta telefonin hos Nordnät i appen för en månad sedan. Jag fick ingen bekräftelse, "
            "och tjänsten finns kvar på fakturan.",
            "Bredbandet vill vi behålla, det är bara telefonin vi inte använder längre.",
            "Jag vill ha en bekräftelse på uppsägningen och att avgiften tas bort från dagen då jag sa upp den.",
        ),
        desired_outcome=Outcome.CANCEL, amount=Decimal("99.00"), currency="SEK", account_number="NN-55120",
    ),
]


# Representatives: who answers for a company. The documented company account
# speaks for 2KOM and Deltacom (checked by a moderator, so it needs no work
# address); the others confirmed an address at their company's domain.

@dataclass(frozen=True)
class DemoRepresentative:
    email: str
    company: str
    job_title: str
    work_email: str = ""
    verified_by: str = Representative.Verification.MODERATOR


REPRESENTATIVES = [
    DemoRepresentative(COMPANY, "2KOM", "Руководитель службы поддержки"),
    DemoRepresentative(COMPANY, "Deltacom", "Customer care lead"),
    DemoRepresentative(
        "care@bluebonnet-wireless.example", "Bluebonnet Wireless", "Customer care",
        work_email="care@bluebonnet-wireless.example", verified_by=Representative.Verification.DOMAIN,
    ),
    DemoRepresentative(
        "kundenservice@elektro-brandt.example", "Elektro Brandt", "Kundenservice",
        work_email="kundenservice@elektro-brandt.example", verified_by=Representative.Verification.DOMAIN,
    ),
    DemoRepresentative(
        "kundservice@nordnat.example", "Nordnät Bredband", "Kundservice",
        work_email="kundservice@nordnat.example", verified_by=Representative.Verification.DOMAIN,
    ),
]


# What happened after publication. Each step is dated in days after the
# complaint was published; the command plays the steps through the services
# and then moves their dates to those days.

@dataclass(frozen=True)
class DemoOffer:
    kind: str
    description: str
    amount: Decimal | None = None
    currency: str = ""
    days: int | None = None
    valid_days: int = 14  # from the day it is made


@dataclass(frozen=True)
class Say:
    """A message: from the company for the company kinds, else the author's reply."""

    day: float
    kind: str
    body: str
    private: bool = False
    callback: bool = False  # propose a call-back on the author's next reachable evening
    offer: DemoOffer | None = None


@dataclass(frozen=True)
class Respond:
    """The author accepts or declines the latest offer."""

    day: float
    accept: bool
    reason: str = ""


@dataclass(frozen=True)
class Deliver:
    """The company marks the latest offer delivered."""

    day: float


@dataclass(frozen=True)
class Confirm:
    """The author confirms the delivery of the latest offer (or disputes it)."""

    day: float
    received: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Evaluate:
    day: float
    resolved: bool
    rating: int
    would_return: bool
    comment: str
    waiting_time: int | None = None
    treatment: int | None = None
    knowledge: int | None = None
    willingness: int | None = None
    compensation_fairness: int | None = None


@dataclass(frozen=True)
class MeToo:
    day: float
    member: str


@dataclass(frozen=True)
class Follow:
    day: float
    member: str


@dataclass(frozen=True)
class Remark:
    """A public comment below the thread."""

    day: float
    member: str
    body: str


Step = Say | Respond | Deliver | Confirm | Evaluate | MeToo | Follow | Remark


@dataclass(frozen=True)
class DemoThread:
    author: str
    title: str  # the start of the complaint's title
    steps: tuple[Step, ...]


THREADS = [
    # The story from DESIGN.md: ignored until he wrote in public, then an apology,
    # a call at a time he can answer, three free days of service.
    DemoThread(
        author="oleg.v@example.com", title="Десять дней без интернета",
        steps=(
            Follow(0.5, "irina.p@example.com"),
            Say(0.9, Kind.APOLOGY, (
                "Олег, здравствуйте. Приносим извинения: ваши заявки действительно остались без ответа, и так "
                "быть не должно. Мы передали обращение руководителю технической службы и выясняем, почему мастер "
                "так и не связался с вами. Все новости по вашему случаю будем писать здесь."
            )),
            Say(1.0, Kind.DETAILS, (
                "Договор мы нашли. Подтвердите, пожалуйста, что подключение по тому же адресу, что указан в "
                "договоре, и горят ли на роутере индикаторы порта WAN."
            ), private=True),
            Say(1.2, Kind.REPLY, (
                "Адрес тот же. Индикатор WAN не горит совсем, кабель в квартире цел, я проверял. Звонить лучше в "
                "будни после семи вечера, днём я на созвонах."
            ), private=True),
            Say(1.6, Kind.ANSWER, (
                "Мастер нашёл причину: в вашем подъезде вышел из строя коммутатор, его заменили. Предлагаем "
                "созвониться в удобное вам время, указанное ниже, и вместе проверить подключение."
            ), private=True, callback=True),
            Remark(2.5, "irina.p@example.com", (
                "У меня тоже 2КОМ, и тоже пришлось писать сюда, чтобы ответили. Надеюсь, у вас всё наладится."
            )),
            Say(5.0, Kind.OFFER, (
                "Как договорились по телефону: подключение восстановлено, причина — неисправный коммутатор в "
                "подъезде. За дни без связи предлагаем три бесплатных дня обслуживания. Ещё раз просим прощения "
                "за то, что вам пришлось так долго ждать."
            ), offer=DemoOffer(
                kind=Offer.Kind.FREE_DAYS, days=3, description="Три бесплатных дня обслуживания на лицевой счёт",
            )),
            Respond(5.2, accept=True),
            Deliver(5.9),
            Confirm(6.4),
            Evaluate(
                6.5, resolved=True, rating=5, would_return=True,
                waiting_time=3, treatment=5, knowledge=5, willingness=5, compensation_fairness=5,
                comment=(
                    "Десять дней я не мог добиться ответа, но после жалобы здесь всё решили за несколько дней: "
                    "извинились, заменили оборудование, позвонили, когда мне было удобно, и начислили три "
                    "бесплатных дня. Спасибо."
                ),
            ),
        ),
    ),
    # 2KOM again: an answer and a partial refund the author declines.
    DemoThread(
        author="oleg.v@example.com", title="Перевели на дорогой тариф",
        steps=(
            Say(2.8, Kind.ANSWER, (
                "Олег, здравствуйте. Перевод связан с модернизацией сети в вашем доме: новое оборудование не "
                "поддерживает архивный тариф. Уведомление должно было прийти в личный кабинет, и мы проверяем, "
                "почему его не было."
            )),
            Say(3.1, Kind.OFFER, (
                "Поскольку вас не предупредили заранее, предлагаем вернуть разницу в цене за первый месяц на новом "
                "тарифе."
            ), offer=DemoOffer(
                kind=Offer.Kind.REFUND, amount=Decimal("200.00"), currency="RUB",
                description="Возврат разницы за первый месяц на новом тарифе",
            )),
            Respond(3.6, accept=False, reason=(
                "Разница списывается уже три месяца, а не один, и равноценный тариф мне так и не предложили."
            )),
            Say(3.7, Kind.REPLY, (
                "Спасибо за ответ, но возврат за один месяц не решает проблему. Прошу вернуть прежние условия или "
                "равный по цене тариф и разницу за все месяцы."
            )),
        ),
    ),
    # 2KOM has not answered yet; others have the same problem.
    DemoThread(
        author="irina.p@example.com", title="Вечером скорость в пять раз ниже",
        steps=(
            MeToo(0.3, "oleg.v@example.com"),
            MeToo(1.1, MEMBER),
        ),
    ),
    # Deltacom answers and asks for details: now it is the author's move.
    DemoThread(
        author="dana.k@example.com", title="Office lines dead for three weeks",
        steps=(
            Follow(0.2, MEMBER),
            MeToo(0.4, "ray.h@example.com"),
            Say(0.6, Kind.ANSWER, (
                "Dana, we are sorry that your practice has been without its lines and that nobody called you back "
                "as promised. The fault is a damaged cable between the exchange and your building; our network "
                "team owns the ticket now, and we will post each update here instead of waiting for you to call."
            )),
            Say(0.65, Kind.DETAILS, (
                "To credit the right lines, please confirm the four numbers on the account and the date you first "
                "reported the fault. We will only call in the hours you gave us."
            ), private=True),
            Remark(0.9, "ray.h@example.com", (
                "Same with my home line after the storm. Please post here whether they keep this promise."
            )),
        ),
    ),
    # Deltacom has let this one wait for weeks: overdue in the business inbox.
    DemoThread(
        author="dana.k@example.com", title="Still billed for a fax line",
        steps=(
            Remark(6.0, "ray.h@example.com", "A credit promised on the phone and never applied: same here."),
        ),
    ),
    # A script for an answer: the author says it was not resolved.
    DemoThread(
        author="ray.h@example.com", title="Outage credit promised twice",
        steps=(
            Say(2.0, Kind.ANSWER, (
                "Thank you for your patience after the storm. Outage credits are applied automatically once the "
                "network ticket is closed. If the credit is not on your next statement, please call our billing team."
            )),
            Say(2.4, Kind.REPLY, (
                "That is what the two agents told me, and the credit never came. Could someone look at my account "
                "instead of repeating the policy?"
            )),
            Evaluate(
                9.0, resolved=False, rating=2, would_return=False,
                waiting_time=2, treatment=3, knowledge=2, willingness=1, compensation_fairness=1,
                comment="One answer with the same script I heard on the phone. No credit and no follow-up.",
            ),
        ),
    ),
    # An open offer on the member's own complaint: sign in as the member to accept or decline it.
    DemoThread(
        author=MEMBER, title="Replacement phone shipped to an old address",
        steps=(
            Say(0.7, Kind.APOLOGY, (
                "We are sorry. The replacement should have gone to the address on your account, and you should not "
                "have been charged while the claim was still open. We have put the charge on hold while we sort "
                "this out."
            )),
            Say(0.8, Kind.OFFER, (
                "We would like to reverse the charge in full and ship a new replacement to your current address, "
                "with a prepaid box for the old phone once you have moved your things over."
            ), offer=DemoOffer(
                kind=Offer.Kind.REFUND, amount=Decimal("649.00"), currency="USD",
                description="Reverse the device charge and ship a new replacement to your current address",
            )),
        ),
    ),
    # The shop that refused an exchange: apology, replacement, resolved.
    DemoThread(
        author="katrin.s@example.com", title="Defekter Wasserkocher",
        steps=(
            Say(1.0, Kind.APOLOGY, (
                "Guten Tag, das hätte in unserer Filiale nicht passieren dürfen: Bei einem Mangel innerhalb der "
                "Gewährleistung sind wir Ihr Ansprechpartner, nicht der Hersteller. Wir entschuldigen uns und haben "
                "die Filiale Celle darauf hingewiesen."
            )),
            Say(1.1, Kind.OFFER, (
                "Ein neuer Wasserkocher liegt für Sie in der Filiale Celle bereit; das defekte Gerät nehmen wir dort "
                "zurück."
            ), offer=DemoOffer(
                kind=Offer.Kind.REPLACEMENT, description="Neues Gerät in der Filiale Celle, Rücknahme des defekten",
            )),
            Respond(1.8, accept=True),
            Deliver(3.9),
            Confirm(4.3),
            Evaluate(
                4.4, resolved=True, rating=4, would_return=True,
                waiting_time=4, treatment=4, knowledge=3, willingness=5, compensation_fairness=5,
                comment=(
                    "Nach der Beschwerde ging es schnell: neues Gerät in der Filiale, ohne Diskussion. Schade, dass "
                    "es erst diesen Umweg brauchte."
                ),
            ),
        ),
    ),
    # No answer in 14 days: the author may evaluate anyway.
    DemoThread(
        author="juergen.h@example.com", title="Fernseher mit gesprungenem Display",
        steps=(
            MeToo(4.0, "priya.s@example.com"),
            Evaluate(
                20.0, resolved=False, rating=1, would_return=False, waiting_time=1, willingness=1,
                comment="Drei Wochen lang keine Antwort von Paketblitz. Der Händler hat den Fernseher am Ende aus "
                        "Kulanz ersetzt.",
            ),
        ),
    ),
    # Credit accepted and delivered, waiting for the author to confirm it.
    DemoThread(
        author="erik.l@example.com", title="Priset höjdes efter kampanjen",
        steps=(
            Say(2.0, Kind.ANSWER, (
                "Hej Erik! Du har rätt i att prisändringen skulle ha meddelats i förväg, och det gjordes inte. Vi "
                "ber om ursäkt."
            )),
            Say(2.1, Kind.OFFER, (
                "Vi krediterar mellanskillnaden för de månader ni har betalat det nya priset, och ni behåller det "
                "pris som gällde när ni tecknade avtalet."
            ), offer=DemoOffer(
                kind=Offer.Kind.CREDIT, amount=Decimal("300.00"), currency="SEK", valid_days=30,
                description="Mellanskillnaden krediteras på nästa faktura",
            )),
            Respond(2.9, accept=True),
            Deliver(11.0),
        ),
    ),
    # Nordnät answers the complaint from this month within hours: now it is the author's move.
    DemoThread(
        author="erik.l@example.com", title="Bredbandet har legat nere i tio dagar",
        steps=(
            Say(0.15, Kind.APOLOGY, (
                "Hej Erik! Förlåt att ingen har hört av sig. Din felanmälan fastnade hos oss och skickades aldrig "
                "vidare till en tekniker. Felet sitter i fiberdosan i ert hus, och en tekniker kommer i morgon "
                "förmiddag."
            )),
            Say(0.2, Kind.DETAILS, (
                "Kan du bekräfta att någon är hemma i morgon mellan åtta och tolv? Skriv också hur mycket extra surf "
                "ni har köpt, så tar vi med det i ersättningen."
            ), private=True),
        ),
    ),
    # Deltacom over the year: late scripts, a few fixes, and complaints nobody answered.
    DemoThread(
        author="dana.k@example.com", title="Installation fee charged twice",
        steps=(
            Say(12.0, Kind.ANSWER, (
                "Thank you for contacting Deltacom. Billing adjustments are reviewed by our billing department "
                "within two to three billing cycles. We appreciate your patience."
            )),
            Evaluate(
                21.0, resolved=False, rating=2, would_return=False,
                waiting_time=1, treatment=2, knowledge=2, willingness=1,
                comment="Twelve days for a form letter, and the duplicate fee is still on the account.",
            ),
        ),
    ),
    DemoThread(
        author="ray.h@example.com", title="Internet drops every evening",
        steps=(
            MeToo(3.0, "dana.k@example.com"),
            Evaluate(
                18.0, resolved=False, rating=1, would_return=False, waiting_time=1, willingness=1,
                comment="No answer here either. A neighbour told us the street cabinet was replaced, and it has "
                        "worked since.",
            ),
        ),
    ),
    DemoThread(
        author="priya.s@example.com", title="My father's landline cut off",
        steps=(
            Say(9.0, Kind.APOLOGY, (
                "We apologize for the disconnection. After a system migration a payment was applied to the wrong "
                "account. The line has been restored and the late fee removed."
            )),
            Say(9.4, Kind.REPLY, (
                "Thank you, it works again. Nine days without a phone is a long time for a man of eighty-one who "
                "lives alone."
            )),
            Evaluate(
                10.0, resolved=True, rating=3, would_return=False,
                waiting_time=1, treatment=4, knowledge=3, willingness=3,
                comment="Fixed in the end, but only after nine days and a public complaint.",
            ),
        ),
    ),
    DemoThread(
        author="liam.o@example.com", title="Bills keep coming for my late mother's line",
        steps=(
            Say(15.0, Kind.DETAILS, (
                "We are sorry for your loss. To close the account of a deceased customer we need a copy of the death "
                "certificate. Please send it to our account services department."
            )),
            Say(15.3, Kind.REPLY, "I have sent it three times already. Please look at what you have."),
            Evaluate(
                28.0, resolved=False, rating=1, would_return=False,
                waiting_time=1, treatment=2, knowledge=1, willingness=1,
                comment="Asked for the certificate a fourth time, then silence. Another bill came this week.",
            ),
        ),
    ),
    DemoThread(
        author="dana.k@example.com", title="Card terminal line dead",
        steps=(
            Evaluate(
                16.0, resolved=False, rating=1, would_return=False, waiting_time=1, willingness=1,
                comment="Never answered. Our IT contractor found the line had been moved to the wrong port in the "
                        "basement.",
            ),
        ),
    ),
    DemoThread(
        author="ray.h@example.com", title="Paid for a speed upgrade",
        steps=(
            Say(5.0, Kind.ANSWER, (
                "Ray, we checked your modem: the new speed profile had never been sent to it. It has been now; "
                "please restart the modem tonight. This month's price difference will be credited."
            )),
            Say(5.4, Kind.REPLY, "Restarted it, and the speed test shows the new speed. Thank you."),
            Evaluate(
                6.0, resolved=True, rating=4, would_return=True,
                waiting_time=3, treatment=4, knowledge=4, willingness=4,
                comment="Quick and to the point this time. Why could phone support not do the same?",
            ),
        ),
    ),
    DemoThread(
        author="priya.s@example.com", title="Long-distance charges",
        steps=(
            Say(11.0, Kind.ANSWER, (
                "Under the terms and conditions of the plan, unlimited calling applies to calls within the "
                "customer's home state. The charges are valid."
            )),
            Say(11.2, Kind.REPLY, (
                "The letter confirming his order says \"unlimited calling in the US\". Could someone read it?"
            )),
            Evaluate(
                26.0, resolved=False, rating=2, would_return=False,
                waiting_time=2, treatment=2, knowledge=2, willingness=1,
                comment="They quoted the small print and stopped answering.",
            ),
        ),
    ),
    DemoThread(
        author="liam.o@example.com", title="Final bill sent to collections",
        steps=(
            Evaluate(
                21.0, resolved=False, rating=1, would_return=False, waiting_time=1, willingness=1,
                comment="No answer in three weeks. I paid the agency to make the letters stop.",
            ),
        ),
    ),
    DemoThread(
        author="ray.h@example.com", title="Charged for a modem I returned",
        steps=(
            Say(10.0, Kind.ANSWER, (
                "Returned equipment can take up to 30 days to be processed. If the charge remains after that, "
                "please contact our billing team with your receipt."
            )),
            Evaluate(
                38.0, resolved=False, rating=2, would_return=False,
                waiting_time=2, treatment=3, knowledge=2, willingness=2,
                comment="The thirty days have passed and the charge is still there. Billing asks for the receipt again.",
            ),
        ),
    ),
    DemoThread(
        author="dana.k@example.com", title="Two hours on hold",
        steps=(
            Say(8.0, Kind.ANSWER, (
                "The billing address has been updated. Address changes can be made in the online account under "
                "Billing settings."
            )),
            Say(8.2, Kind.REPLY, "Thank you. That menu is not in our account, which is why I called."),
            Evaluate(
                9.0, resolved=True, rating=3, would_return=False,
                waiting_time=1, treatment=3, knowledge=3, willingness=3,
                comment="Done after eight days. It is a two-minute change.",
            ),
        ),
    ),
    # Nordnät over the year: answers the same day, fixes most things, credits when it is at fault.
    DemoThread(
        author="maja.n@example.com", title="Den nya routern tappar wifi",
        steps=(
            Say(0.3, Kind.ANSWER, (
                "Hej Maja! Tack för en tydlig beskrivning. Den första programvaran till den routermodellen har ett "
                "känt fel. Vi skickar i dag en ny router med rätt version, och den bör vara framme inom två dagar."
            )),
            Say(3.0, Kind.REPLY, "Den nya routern kom i går och har inte tappat anslutningen en enda gång. Tack!"),
            Evaluate(
                3.1, resolved=True, rating=5, would_return=True,
                waiting_time=5, treatment=5, knowledge=5, willingness=5,
                comment="Svar samma dag och en ny router två dagar senare. Så ska det gå till.",
            ),
        ),
    ),
    DemoThread(
        author="erik.l@example.com", title="Fakturorna skickas fortfarande",
        steps=(
            Say(0.2, Kind.APOLOGY, (
                "Hej Erik! Förlåt, adressen ändrades för anslutningen men inte för faktureringen. Det är rättat nu, "
                "och vi har tagit bort påminnelseavgiften."
            )),
            Evaluate(
                2.0, resolved=True, rating=4, would_return=True,
                waiting_time=5, treatment=4, knowledge=4, willingness=5,
                comment="Snabbt rättat. Men det borde inte ha krävts en påminnelse för att felet skulle upptäckas.",
            ),
        ),
    ),
    DemoThread(
        author="maja.n@example.com", title="Fiberinstallationen sköts upp",
        steps=(
            Say(0.4, Kind.APOLOGY, (
                "Hej Maja! Installatören blev sjuk, och vi borde ha ringt i stället för att skicka ett sms. Vi har "
                "hittat en ny tid på fredag den här veckan."
            )),
            Say(0.5, Kind.OFFER, "För mobilsurfen under väntetiden krediterar vi 250 kronor på första fakturan.",
                offer=DemoOffer(
                    kind=Offer.Kind.CREDIT, amount=Decimal("250.00"), currency="SEK",
                    description="250 kronor krediteras på första fakturan",
                )),
            Respond(0.8, accept=True),
            Deliver(14.0),
            Confirm(15.0),
            Evaluate(
                15.2, resolved=True, rating=5, would_return=True,
                waiting_time=5, treatment=5, knowledge=4, willingness=5, compensation_fairness=5,
                comment="Ny tid inom tre dagar, och krediten kom som utlovat.",
            ),
        ),
    ),
    DemoThread(
        author="erik.l@example.com", title="Sommarstugans bredband",
        steps=(
            Say(0.4, Kind.ANSWER, (
                "Hej Erik! Pausen registrerades felaktigt som en uppsägning. Vi har aktiverat ditt avtal igen med "
                "samma pris och villkor, och anslutningen bör fungera inom en timme."
            )),
            Evaluate(
                1.0, resolved=True, rating=5, would_return=True,
                waiting_time=5, treatment=5, knowledge=4, willingness=5,
                comment="Rättat inom ett dygn, och med de gamla villkoren.",
            ),
        ),
    ),
    DemoThread(
        author="maja.n@example.com", title="Månadsavgiften drogs två gånger",
        steps=(
            Say(0.3, Kind.ANSWER, (
                "Hej Maja! Ett fel hos vår betalleverantör drog avgiften två gånger för ett hundratal kunder den "
                "dagen. Pengarna betalas tillbaka till ditt konto inom tre bankdagar."
            )),
            Say(4.0, Kind.REPLY, "Pengarna har kommit tillbaka. Tack för snabbt besked."),
            Evaluate(
                4.1, resolved=True, rating=5, would_return=True,
                waiting_time=5, treatment=5, knowledge=5, willingness=5,
                comment="Tydligt svar samma dag och pengarna tillbaka inom tre dagar.",
            ),
        ),
    ),
    DemoThread(
        author="erik.l@example.com", title="Uppkopplingen blir långsam",
        steps=(
            Say(0.6, Kind.ANSWER, (
                "Hej Erik! Tack för mätningarna, de hjälpte oss. En av länkarna till ert område blev överbelastad "
                "efter ett fel i en annan nod. Trafiken är omfördelad sedan i eftermiddags, och vi följer "
                "hastigheten i kväll."
            )),
            Say(2.0, Kind.REPLY, "Två kvällar i rad med full hastighet nu. Tack."),
            Evaluate(
                2.1, resolved=True, rating=4, would_return=True,
                waiting_time=4, treatment=4, knowledge=5, willingness=4,
                comment="Bra och konkret svar. Men en vecka med långsamma kvällar utan att de märkte något är länge.",
            ),
        ),
    ),
    DemoThread(
        author="maja.n@example.com", title="Lovade att ringa upp efter fem",
        steps=(
            Say(0.2, Kind.ANSWER, (
                "Hej Maja! Förlåt för samtalet vid fel tid. Svaret på din fråga: uppsägningstiden är en månad från "
                "dagen då du säger upp, oavsett när i månaden det sker. Du kan säga upp direkt i appen under "
                "Mitt abonnemang."
            )),
            Evaluate(
                1.0, resolved=True, rating=4, would_return=True,
                waiting_time=4, treatment=5, knowledge=5, willingness=4,
                comment="Ett skriftligt svar inom några timmar, det var allt jag ville ha.",
            ),
        ),
    ),
    DemoThread(
        author="erik.l@example.com", title="Två tv-kanaler försvann",
        steps=(
            Say(0.5, Kind.ANSWER, (
                "Hej Erik! Avtalet med kanalernas ägare gick ut och kunde inte förlängas. Vi borde ha meddelat det i "
                "förväg, och det ber vi om ursäkt för. Du kan byta till ett mindre paket utan kostnad eller säga "
                "upp tv-tjänsten direkt."
            )),
            Say(1.5, Kind.REPLY, "Inget av de mindre paketen har kanalerna heller, så det hjälper inte oss."),
            Evaluate(
                6.0, resolved=False, rating=3, would_return=False,
                waiting_time=5, treatment=4, knowledge=4, willingness=2,
                comment="Snabbt och ärligt svar, men kanalerna är borta och priset är detsamma.",
            ),
        ),
    ),
    DemoThread(
        author="maja.n@example.com", title="Avbrott en hel arbetsdag",
        steps=(
            Say(0.1, Kind.APOLOGY, (
                "Hej Maja! Du har rätt. Arbetet var planerat, men aviseringen gick bara till kunder vars e-post "
                "fanns i vårt system, och din adress saknades. Vi har lagt till den och ser över rutinen."
            )),
            Say(0.2, Kind.OFFER, "Som plåster på såren bjuder vi på två avgiftsfria dagar.", offer=DemoOffer(
                kind=Offer.Kind.FREE_DAYS, days=2, description="Två avgiftsfria dagar på nästa faktura",
            )),
            Respond(0.5, accept=True),
            Deliver(3.0),
            Confirm(5.0),
            Evaluate(
                5.1, resolved=True, rating=5, would_return=True,
                waiting_time=5, treatment=5, knowledge=5, willingness=5, compensation_fairness=4,
                comment="Ärligt svar, en ändrad rutin och två gratisdagar. Mer kan man inte begära.",
            ),
        ),
    ),
    DemoThread(
        author="erik.l@example.com", title="Uppsägningen av den fasta telefonin",
        steps=(
            Say(0.2, Kind.ANSWER, (
                "Hej Erik! Uppsägningen fastnade i appen och nådde aldrig oss; det felet är rättat. Telefonin är nu "
                "uppsagd från dagen du skickade den, och avgiften krediteras på nästa faktura. En bekräftelse har "
                "gått till din e-post."
            )),
            Evaluate(
                0.9, resolved=True, rating=5, would_return=True,
                waiting_time=5, treatment=5, knowledge=5, willingness=5,
                comment="Svar samma dag och en skriftlig bekräftelse. Tack.",
            ),
        ),
    ),
]
