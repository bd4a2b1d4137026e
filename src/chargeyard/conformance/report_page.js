// The conformance report page's script (report_html.py): filters the table's rows and the
// cases' details by the outcomes ticked and the text typed, and fills a passing case's details
// from the packed block (deflated JSON in base64) the first time it is opened.
const boxes=[...document.querySelectorAll('#filter input[type=checkbox]')];
const query=document.getElementById('q');
function apply(){
 const on=new Set(boxes.filter(b=>b.checked).map(b=>b.value));
 const text=query.value.trim().toLowerCase();
 for(const row of document.querySelectorAll('tr[data-o]')){
  const words=(row.textContent+' '+row.dataset.r).toLowerCase();
  const shown=on.has(row.dataset.o)&&(!text||words.includes(text));
  row.hidden=!shown;
  const details=document.getElementById(row.dataset.c);
  if(details)details.hidden=!shown;
 }
}
boxes.forEach(b=>b.addEventListener('change',apply));query.addEventListener('input',apply);
let packed=null;
function unpack(){
 if(!packed){
  const bytes=Uint8Array.from(atob(document.getElementById('packed').textContent.trim()),c=>c.charCodeAt(0));
  packed=new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'))).json();
 }
 return packed;
}
function el(tag,text,cls){const e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;}
function fill(details,c){
 for(const [title,checks] of c.s){
  details.append(el('h4',title));
  if(!checks.length)continue;
  const table=el('table'),head=table.insertRow();
  for(const name of ['','Rule','Weight','Expected','Observed'])head.append(el('th',name));
  for(const [rule,ok,weight,expected,observed] of checks){
   const row=table.insertRow();
   row.append(el('td',ok?'pass':'FAIL',ok?'ok':'bad'),el('td',rule),el('td',weight));
   for(const value of [expected,observed]){const cell=el('td');cell.append(el('pre',value));row.append(cell);}
  }
  details.append(table);
 }
 if(c.n){const frames=el('details');frames.append(el('summary',c.n+' frames'),el('pre',c.f));details.append(frames);}
}
for(const details of document.querySelectorAll('details[data-packed]')){
 details.addEventListener('toggle',async()=>{
  if(!details.open||details.dataset.filled)return;
  details.dataset.filled='1';
  fill(details,(await unpack())[details.id]);
 });
}
// A link to a case (the table's, or the page's address) opens its details.
function openLinked(){
 const details=document.getElementById(decodeURIComponent(location.hash.slice(1)));
 if(details&&details.tagName==='DETAILS')details.open=true;
}
window.addEventListener('hashchange',openLinked);openLinked();
